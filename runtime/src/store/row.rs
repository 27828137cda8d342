//! Structs read from a query's rows.

/// Declare a struct that a query's row turns into, each field read from the
/// column of its name: what sqlx's `FromRow` derive does, without its macro
/// crate, which builds every database driver a second time for the compiler.
macro_rules! from_row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$field_meta])* $field_vis $field: $ty ),*
        }

        impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for $name {
            fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok($name { $( $field: row.try_get(stringify!($field))? ),* })
            }
        }
    };
}

pub(crate) use from_row;
