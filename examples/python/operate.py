#!/usr/bin/env python3
"""A Python service that uses Steadfast through its SQL API only (docs/sql-api.md).

Swift workers run the workflows; this script starts one and reads its typed JSON result,
lists workflows, cancels a running one, forks a finished one from a step, and talks to a
running one — sends it the message it waits for, reads its events, follows its stream and
resumes it from an offset — each a call of a `steadfast.*` function with psycopg (v3). It
prints one JSON object per line.

    make example-python        # all of it: a venv with psycopg, the worker, this script

or by hand (psycopg from examples/python/requirements.txt, in a virtual environment):

    swift run steadfast-demo python-worker &                  # the workflows it starts
    DATABASE_URL=postgresql://… python3 examples/python/operate.py

Environment: DATABASE_URL (required); STEADFAST_QUEUE (default "default"); STEADFAST_PREFIX,
prefixed to the workflow ids it chooses (default "py-" and random hex, so runs never meet). The workflows it starts — "greet",
"nap", "fulfil", "approve" — must be registered by a worker on that queue:
`steadfast-demo python-worker [QUEUE]` (examples/demo/PythonWorkflows.swift) is one.
"""
import json
import os
import secrets
import sys
import time

import psycopg
from psycopg.types.json import Jsonb

FINAL = {"succeeded", "failed", "cancelled", "dead"}


def say(event, **fields):
    print(json.dumps({"event": event, **fields}, sort_keys=True), flush=True)


class Steadfast:
    """The few calls this service needs; each is one SQL function call."""

    def __init__(self, url):
        # Autocommit: each function call is its own transaction, as the engine expects.
        self.db = psycopg.connect(url, autocommit=True)
        # A second session listens for workflows finishing, setting events and writing to
        # streams (payload: the workflow id): hints to read again, polling as a fallback.
        self.listener = psycopg.connect(url, autocommit=True)
        for channel in ("steadfast_finished", "steadfast_event", "steadfast_stream"):
            self.listener.execute(f"listen {channel}")

    def start(self, workflow_id, name, input, **options):
        row = self.db.execute(
            "select workflow_id, status, created from steadfast.start_workflow(%s, %s, %s, %s)",
            (workflow_id, name, Jsonb(input), Jsonb(options)),
        ).fetchone()
        return {"workflow_id": row[0], "status": row[1], "created": row[2]}

    def get(self, workflow_id):
        cur = self.db.execute(
            "select workflow_id, name, status, output, error, attempt, forked_from, forked_at_step"
            " from steadfast.get_workflow(%s)",
            (workflow_id,),
        )
        columns = [c.name for c in cur.description]
        return dict(zip(columns, cur.fetchone()))

    def wait(self, workflow_id, timeout=60, until=FINAL):
        """Waits until the workflow's status is in `until`: woken by NOTIFY, polling as a fallback."""
        deadline = time.monotonic() + timeout
        while True:
            workflow = self.get(workflow_id)
            if workflow["status"] in until:
                return workflow
            if time.monotonic() > deadline:
                raise TimeoutError(f"{workflow_id} is still {workflow['status']}")
            # A notification for any workflow ends the wait early; then read the status again.
            for _ in self.listener.notifies(timeout=0.5, stop_after=1):
                pass

    def list(self, **options):
        cur = self.db.execute("select workflow_id, name, status from steadfast.list_workflows(%s)", (Jsonb(options),))
        return [dict(zip(["workflow_id", "name", "status"], row)) for row in cur.fetchall()]

    def steps(self, workflow_id):
        cur = self.db.execute("select seq, step_key, status, output from steadfast.list_steps(%s)", (workflow_id,))
        return [dict(zip(["seq", "step_key", "status", "output"], row)) for row in cur.fetchall()]

    def cancel(self, workflow_id, reason):
        cur = self.db.execute(
            "select workflow_id, previous_status from steadfast.cancel_workflow(%s, %s)",
            (workflow_id, Jsonb({"reason": reason})),
        )
        return [{"workflow_id": r[0], "previous_status": r[1]} for r in cur.fetchall()]

    def send(self, workflow_id, message, **options):
        row = self.db.execute(
            "select message_id, created from steadfast.send_message(%s, %s, %s)",
            (workflow_id, Jsonb(message), Jsonb(options)),
        ).fetchone()
        return {"message_id": row[0], "created": row[1]}

    def wait_event(self, workflow_id, key, until=lambda value: True, timeout=60):
        """The event's value once it is set (and `until` accepts it): woken by NOTIFY, polling as a fallback."""
        deadline = time.monotonic() + timeout
        while True:
            found, value = self.db.execute(
                "select found, value from steadfast.get_event(%s, %s)", (workflow_id, key)
            ).fetchone()
            if found and until(value):
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{workflow_id} did not set {key}")
            for _ in self.listener.notifies(timeout=0.5, stop_after=1):
                pass

    def read_stream(self, workflow_id, key, from_offset=0, limit=1000):
        cur = self.db.execute(
            'select "offset", value, closed from steadfast.read_stream(%s, %s, %s, %s)',
            (workflow_id, key, from_offset, limit),
        )
        return [{"offset": r[0], "value": r[1], "closed": r[2]} for r in cur.fetchall()]

    def follow_stream(self, workflow_id, key, from_offset=0, timeout=60):
        """Yields the stream's entries from `from_offset` until it is closed or the workflow finishes."""
        deadline = time.monotonic() + timeout
        finished = False
        while time.monotonic() < deadline:
            entries = self.read_stream(workflow_id, key, from_offset)
            for entry in entries:
                if entry["closed"]:
                    return
                yield entry
                from_offset = entry["offset"] + 1
            if entries:
                continue
            if finished:
                return
            finished = self.get(workflow_id)["status"] in FINAL
            if not finished:
                for _ in self.listener.notifies(timeout=0.5, stop_after=1):
                    pass

    def fork(self, original_id, from_step, **options):
        cur = self.db.execute(
            "select workflow_id, created, copied_steps from steadfast.fork_workflow(%s, %s, %s)",
            (original_id, from_step, Jsonb(options)),
        )
        row = cur.fetchone()
        return {"workflow_id": row[0], "created": row[1], "copied_steps": row[2]}


def main():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL")
    queue = os.environ.get("STEADFAST_QUEUE", "default")
    prefix = os.environ.get("STEADFAST_PREFIX") or f"py-{secrets.token_hex(4)}"
    sf = Steadfast(url)

    # 1. Start a workflow a Swift worker runs; wait for it; read its typed JSON result. The
    #    caller's W3C trace context goes with it (with OpenTelemetry: propagate.inject(carrier)
    #    and pass carrier["traceparent"]): the worker's spans for it join this trace.
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    started = sf.start(f"{prefix}-greet", "greet", {"name": "Ada"}, queue=queue, traceparent=traceparent)
    say("started", traceparent=traceparent, **started)
    greet = sf.wait(started["workflow_id"])
    # The stored context, from the DBA's view (a router over shards has functions only: there
    # the view is on each shard, and this reads nothing).
    stored = None
    if sf.db.execute("select to_regclass('steadfast.workflow_overview') is not null").fetchone()[0]:
        stored = sf.db.execute("select traceparent from steadfast.workflow_overview where workflow_id = %s",
                               (started["workflow_id"],)).fetchone()[0]
    say("result", workflow_id=greet["workflow_id"], status=greet["status"], output=greet["output"],
        traceparent=stored)

    # 2. List it.
    say("listed", workflows=sf.list(queue=queue, name="greet"))

    # 3. Cancel another while it runs: the worker stops its code.
    nap = sf.start(f"{prefix}-nap", "nap", {"seconds": 60}, queue=queue)
    sf.wait(nap["workflow_id"], until={"running"})
    say("cancelled", workflows=sf.cancel(nap["workflow_id"], "no time for a nap"))
    napped = sf.wait(nap["workflow_id"])
    say("after_cancel", workflow_id=napped["workflow_id"], status=napped["status"], error=napped["error"])

    # 4. Fork a third from its step 3: steps 1 and 2 are reused, step 3 runs again.
    order = sf.start(f"{prefix}-order", "fulfil", {"order": f"{prefix}-1"}, queue=queue)
    done = sf.wait(order["workflow_id"])
    say("original", workflow_id=done["workflow_id"], status=done["status"], steps=sf.steps(done["workflow_id"]))
    # (Its id shares the original's shard key — the text before the first "/" — so that on a
    # sharded cluster it is created where the original's steps are: docs/scale-out.md.)
    fork = sf.fork(done["workflow_id"], 3, workflow_id=f"{prefix}-order/fork")
    say("forked", **fork)
    forked = sf.wait(fork["workflow_id"])
    say("fork_result", workflow_id=forked["workflow_id"], status=forked["status"], output=forked["output"],
        forked_from=forked["forked_from"], forked_at_step=forked["forked_at_step"])

    # 5. Talk to a running workflow. It waits — holding no worker — for a decision message;
    #    the send wakes it. A retried send with the same idempotency key stores nothing.
    approval = sf.start(f"{prefix}-approve", "approve", {"request": "refund 42"}, queue=queue)
    approval_id = approval["workflow_id"]
    sf.wait(approval_id, until={"waiting"})
    before = sf.wait_event(approval_id, "status")
    sent = sf.send(approval_id, {"approved": True, "by": "py"}, topic="decision", idempotency_key=f"{prefix}-d1")
    resent = sf.send(approval_id, {"approved": True, "by": "py"}, topic="decision", idempotency_key=f"{prefix}-d1")
    after = sf.wait_event(approval_id, "status", until=lambda value: value != before)
    # Its stream: read two entries, "disconnect", and resume from the next offset.
    first = sf.read_stream(approval_id, "log", 0, limit=2)
    rest = list(sf.follow_stream(approval_id, "log", from_offset=first[-1]["offset"] + 1))
    approved = sf.wait(approval_id)
    say("approval", workflow_id=approval_id, status_before=before, sent=sent["created"], resent=resent["created"],
        status_after=after, first=[e["offset"] for e in first], rest=[e["offset"] for e in rest],
        log=[e["value"] for e in first + rest], output=approved["output"])

    # Errors are SQLSTATEs of class SF (docs/sql-api.md), never messages to parse.
    try:
        sf.fork(done["workflow_id"], 9)
    except psycopg.Error as error:
        say("error", sqlstate=error.sqlstate, message=error.diag.message_primary)


if __name__ == "__main__":
    main()
