"""The generic code behind a built component: the WIT `handler` export for a `Step` class.

Imported only inside the component (and by the build's checks): it needs the
`wit_world` bindings that componentize-py generates for the step's world.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

from componentize_py_types import Err
from wit_world.imports import types as _t

from . import AtomError, Context, Done, Fatal, InvalidInput, Pending, Step, StepError
from .schema import DecodeError, decode, encode

_ERRORS = {
    "invalid-input": _t.StepError_InvalidInput,
    "denied": _t.StepError_Denied,
    "retryable": _t.StepError_Retryable,
    "fatal": _t.StepError_Fatal,
}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def handler_for(step: type[Step]) -> type:
    """A class implementing the `scena:plugin/handler` export for `step`.

    The metadata (and so the schemas) is computed once, at build time, when
    componentize-py pre-initialises the interpreter: `describe` costs nothing."""
    meta = step.meta()
    described = _t.StepMeta(
        name=meta["name"],
        version=meta["version"],
        title=meta["title"],
        description=meta["description"],
        category=meta["category"],
        input_schema=_dumps(meta["input_schema"]),
        output_schema=_dumps(meta["output_schema"]),
        capabilities=list(meta["capabilities"]),
    )
    input_type, _ = step.io_types()

    def call(entry: str, ctx: Any, text: str) -> Any:
        context = Context(
            tenant=ctx.tenant,
            run_id=ctx.run_id,
            node_id=ctx.node_id,
            attempt=ctx.attempt,
            idempotency_key=ctx.idempotency_key,
        )
        try:
            if entry == "run":
                try:
                    value = decode(input_type, json.loads(text))
                except (ValueError, DecodeError) as e:
                    raise InvalidInput(f"input does not fit {step.name}: {e}") from None
                result = step().run(context, value)
            else:
                try:
                    state = json.loads(text)
                except ValueError as e:
                    raise Fatal(f"saved state is not JSON: {e}") from None
                result = step().poll(context, state)
            return _outcome(result)
        except AtomError as e:
            error = e.to_step_error()
        except StepError as e:
            error = e
        except BaseException as e:  # a bug or a deliberate raise: trap, as a Rust panic does
            _abort(step.name, entry, e)
        raise Err(_ERRORS[error.kind](error.message))

    class Handler:
        def describe(self) -> Any:
            return described

        def run(self, ctx: Any, input: str) -> Any:
            return call("run", ctx, input)

        def poll(self, ctx: Any, state: str) -> Any:
            return call("poll", ctx, state)

    Handler.__qualname__ = Handler.__name__ = "Handler"
    return Handler


def _outcome(result: Any) -> Any:
    if isinstance(result, Pending):
        try:
            state = _dumps(encode(result.state))
        except (TypeError, ValueError) as e:
            raise Fatal(f"cannot serialise pending state: {e}") from None
        return _t.Outcome_Pending(_t.Pending(state=state, after_ms=result.after_ms))
    output = result.output if isinstance(result, Done) else result
    try:
        return _t.Outcome_Done(_dumps(encode(output)))
    except (TypeError, ValueError) as e:
        raise Fatal(f"cannot serialise output: {e}") from None


def _abort(name: str, entry: str, error: BaseException) -> None:
    """Trap the call, leaving the traceback in the step log and the exception
    as the last stderr line, which the host quotes in its reason.

    componentize-py would trap too, but with its own panic text last and the
    Python exception nowhere."""
    try:
        traceback.print_exception(error, file=sys.stderr)
        summary = "".join(traceback.format_exception_only(error)).strip().replace("\n", " ")
        sys.stderr.write(f"{name}: {entry} raised {summary}\n")
        sys.stderr.flush()
    finally:
        os.abort()
