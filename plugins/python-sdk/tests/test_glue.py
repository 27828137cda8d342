"""The handler export and the atom wrappers against stub bindings generated
from host-api/wit: a renamed function, field or case in the WIT breaks these."""

import json
import unittest
from dataclasses import dataclass
from typing import Any
from unittest import mock

from . import bindings

HAVE = bindings.install()


@unittest.skipUnless(HAVE, "componentize-py is not installed")
class GlueTest(unittest.TestCase):
    def setUp(self):
        from componentize_py_types import Err
        from wit_world.imports import types

        from scena_plugin import AtomError, Fatal, Step, done, pending
        from scena_plugin._glue import handler_for

        self.Err, self.types = Err, types

        @dataclass
        class In:
            mode: str

        class Probe(Step[In, Any]):
            name = "probe"
            version = "0.1.0"
            title = "Probe"
            description = "d"
            capabilities = ["log"]

            def run(self, ctx, input):
                if input.mode == "pending":
                    return pending({"ctx": ctx.idempotency_key}, 7)
                if input.mode == "fatal":
                    raise Fatal("no")
                if input.mode == "denied":
                    raise AtomError("denied", "host `x` is not on the HTTP allow-list")
                if input.mode == "failed":
                    raise AtomError("failed", "timeout")
                return done({"attempt": ctx.attempt})

        self.handler = handler_for(Probe)()
        self.ctx = types.Context(tenant="t", run_id="r", node_id="n", attempt=2, idempotency_key="r:n")

    def test_describe(self):
        meta = self.handler.describe()
        self.assertIsInstance(meta, self.types.StepMeta)
        self.assertEqual(meta.capabilities, ["log"])
        self.assertEqual(json.loads(meta.input_schema)["required"], ["mode"])

    def test_outcomes(self):
        out = self.handler.run(self.ctx, '{"mode": "done"}')
        self.assertEqual(out, self.types.Outcome_Done('{"attempt":2}'))
        out = self.handler.run(self.ctx, '{"mode": "pending"}')
        self.assertEqual(out, self.types.Outcome_Pending(self.types.Pending(state='{"ctx":"r:n"}', after_ms=7)))

    def test_errors_become_the_step_error_variant(self):
        for mode, case, text in [
            ("fatal", self.types.StepError_Fatal, "no"),
            ("denied", self.types.StepError_Denied, "host `x` is not on the HTTP allow-list"),
            ("failed", self.types.StepError_Retryable, "timeout"),
        ]:
            with self.assertRaises(self.Err) as e:
                self.handler.run(self.ctx, json.dumps({"mode": mode}))
            self.assertEqual(e.exception.value, case(text))
        with self.assertRaises(self.Err) as e:
            self.handler.run(self.ctx, '{"mode": 5}')
        self.assertIsInstance(e.exception.value, self.types.StepError_InvalidInput)
        self.assertIn("/mode", e.exception.value.value)
        with self.assertRaises(self.Err) as e:
            self.handler.poll(self.ctx, "{}")
        self.assertEqual(e.exception.value, self.types.StepError_Fatal("probe never returns pending, so it cannot be polled"))

    def test_an_unexpected_exception_aborts_after_printing_it(self):
        with mock.patch("scena_plugin._glue.os.abort", side_effect=SystemExit("aborted")) as abort, \
                mock.patch("sys.stderr") as stderr:
            from scena_plugin import Step

            class Boom(Step):
                name = "boom"
                version = "0.1.0"
                title = "t"
                description = "d"

                def run(self, ctx, input):
                    raise RuntimeError("gave up")

            from scena_plugin._glue import handler_for

            with self.assertRaises(SystemExit):
                handler_for(Boom)().run(self.ctx, "{}")
            abort.assert_called_once()
            written = "".join(c.args[0] for c in stderr.write.call_args_list)
            self.assertTrue(written.rstrip().endswith("boom: run raised RuntimeError: gave up"), written)


@unittest.skipUnless(HAVE, "componentize-py is not installed")
class AtomWrapperTest(unittest.TestCase):
    """Each wrapper calls its raw import with the bindings' own records."""

    def test_log(self):
        from wit_world.imports import log as raw

        from scena_plugin import log

        with mock.patch.object(raw, "write") as write:
            log.trace("a"), log.debug("b"), log.info("c"), log.warn("d"), log.error("e")
        self.assertEqual([c.args for c in write.call_args_list], [
            (raw.Level.TRACE, "a"), (raw.Level.DEBUG, "b"), (raw.Level.INFO, "c"), (raw.Level.WARN, "d"), (raw.Level.ERROR, "e"),
        ])

    def test_kv(self):
        from wit_world.imports import kv as raw

        from scena_plugin import kv

        with mock.patch.object(raw, "get", return_value='{"n": 1}'):
            self.assertEqual(kv.get("k"), {"n": 1})
        with mock.patch.object(raw, "get", return_value=None):
            self.assertEqual(kv.get("k", default=0), 0)
        with mock.patch.object(raw, "set") as set_:
            kv.set("k", {"a": [1]})
        set_.assert_called_once_with("k", '{"a":[1]}')
        with mock.patch.object(raw, "compare_and_swap", return_value=True) as cas:
            self.assertTrue(kv.compare_and_swap("k", kv.ABSENT, 1))
            kv.compare_and_swap("k", None, 2)
        self.assertEqual([c.args for c in cas.call_args_list], [("k", None, "1"), ("k", "null", "2")])
        with mock.patch.object(raw, "increment", return_value=3) as inc:
            self.assertEqual(kv.increment("c"), 3)
        inc.assert_called_once_with("c", 1)
        with mock.patch.object(raw, "delete", return_value=True), mock.patch.object(raw, "list_keys", return_value=["a"]):
            self.assertTrue(kv.delete("a"))
            self.assertEqual(kv.list_keys("a", 5), ["a"])

    def test_errors_of_the_host_become_atom_errors(self):
        from componentize_py_types import Err
        from wit_world.imports import secrets as raw
        from wit_world.imports import types

        from scena_plugin import AtomError, secrets

        for case, kind in [(types.AtomError_Denied, "denied"), (types.AtomError_Invalid, "invalid"),
                           (types.AtomError_Unavailable, "unavailable"), (types.AtomError_Failed, "failed")]:
            with mock.patch.object(raw, "get", side_effect=Err(case("why"))):
                with self.assertRaises(AtomError) as e:
                    secrets.get("ROOT")
            self.assertEqual((e.exception.kind, e.exception.message), (kind, "why"))

    def test_http(self):
        from wit_world.imports import http as raw

        from scena_plugin import http

        answer = raw.Response(status=201, headers=[("Content-Type", "text/plain")], body=b"hi")
        with mock.patch.object(raw, "send", return_value=answer) as send:
            r = http.post("http://h/x", json={"a": 1}, headers={"X-Key": "k"}, timeout_ms=50)
        sent = send.call_args.args[0]
        self.assertEqual(sent, raw.Request(method="POST", url="http://h/x", headers=[("X-Key", "k"), ("content-type", "application/json")],
                                           body=b'{"a":1}', timeout_ms=50))
        self.assertTrue(r.ok)
        self.assertEqual((r.status, r.text(), r.header("content-type")), (201, "hi", "text/plain"))

    def test_cmdb_job_notify(self):
        from wit_world.imports import cmdb as rcmdb
        from wit_world.imports import job as rjob
        from wit_world.imports import notify as rnotify

        from scena_plugin import cmdb, job, notify

        host = rcmdb.HostInfo(id="h1", hostname="a", ip="10.0.0.1", labels=[("zone", "eu-1")])
        with mock.patch.object(rcmdb, "find_hosts", return_value=[host]), mock.patch.object(rcmdb, "get_host", return_value=None):
            self.assertEqual(cmdb.find_hosts("zone=eu-1"), [cmdb.HostInfo("h1", "a", "10.0.0.1", {"zone": "eu-1"})])
            self.assertIsNone(cmdb.get_host("nope"))
        status = rjob.JobStatus(id="j", state=rjob.JobState.RUNNING, hosts=[
            rjob.HostResult(host="h1", state=rjob.JobState.SUCCEEDED, exit_code=0, output_tail="ok")])
        with mock.patch.object(rjob, "start", return_value="j") as start, mock.patch.object(rjob, "status", return_value=status), \
                mock.patch.object(rjob, "cancel") as cancel:
            self.assertEqual(job.start(job.JobSpec(hosts=["h1"], script="true", idempotency_key="r:n")), "j")
            got = job.status("j")
            job.cancel("j")
        self.assertEqual(start.call_args.args[0], rjob.JobSpec(hosts=["h1"], script="true", interpreter="bash", account="root",
                                                              timeout_ms=60_000, idempotency_key="r:n"))
        self.assertEqual((got.state, got.finished, got.hosts[0].state, got.hosts[0].exit_code), ("running", False, "succeeded", 0))
        cancel.assert_called_once_with("j")
        with mock.patch.object(rjob, "start_at", return_value="k") as start_at:
            self.assertEqual(job.start(job.JobSpec(hosts=["h1"], script="true", idempotency_key="r:m", at="2026-12-24T18:00:00Z")), "k")
        self.assertEqual(start_at.call_args.args, (rjob.JobSpec(hosts=["h1"], script="true", interpreter="bash", account="root",
                                                                timeout_ms=60_000, idempotency_key="r:m"), "2026-12-24T18:00:00Z"))
        with mock.patch.object(rjob, "push_file", return_value="f") as push:
            self.assertEqual(job.push_file(job.FileSpec(hosts=["h1"], file="app.tgz", path="/opt/app.tgz", idempotency_key="r:p")), "f")
        self.assertEqual(push.call_args.args[0], rjob.FileSpec(hosts=["h1"], file="app.tgz", sha256="", path="/opt/app.tgz", mode=0o644,
                                                              account="", timeout_ms=60_000, idempotency_key="r:p"))
        with mock.patch.object(rnotify, "send") as send:
            notify.send("ops-chat", ["oncall"], "s", "b")
        send.assert_called_once_with(rnotify.Message(channel="ops-chat", to=["oncall"], subject="s", body="b"))


if __name__ == "__main__":
    unittest.main()
