fn main() -> std::process::ExitCode {
    scena::cli::main()
}
