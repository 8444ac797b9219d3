#!/usr/bin/env python3
"""A Python service that uses Steadfast through its SQL API only (docs/sql-api.md).

Swift workers run the workflows; this script starts one and reads its typed JSON result,
lists workflows, cancels a running one, and forks a finished one from a step — each a call
of a `steadfast.*` function with psycopg (v3). It prints one JSON object per line.

    pip install 'psycopg[binary]'
    DATABASE_URL=postgresql://… python3 examples/python/operate.py

Environment: DATABASE_URL (required); STEADFAST_QUEUE (default "default"); STEADFAST_PREFIX,
prefixed to the workflow ids it chooses (default "py"). The workflows it starts — "greet",
"nap", "fulfil" — must be registered by a worker on that queue (the Swift tests run one).
"""
import json
import os
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
        # A second session listens for steadfast_finished (payload: the workflow id).
        self.listener = psycopg.connect(url, autocommit=True)
        self.listener.execute("listen steadfast_finished")

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
    prefix = os.environ.get("STEADFAST_PREFIX", "py")
    sf = Steadfast(url)

    # 1. Start a workflow a Swift worker runs; wait for it; read its typed JSON result.
    started = sf.start(f"{prefix}-greet", "greet", {"name": "Ada"}, queue=queue)
    say("started", **started)
    greet = sf.wait(started["workflow_id"])
    say("result", workflow_id=greet["workflow_id"], status=greet["status"], output=greet["output"])

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
    fork = sf.fork(done["workflow_id"], 3, workflow_id=f"{prefix}-order-fork")
    say("forked", **fork)
    forked = sf.wait(fork["workflow_id"])
    say("fork_result", workflow_id=forked["workflow_id"], status=forked["status"], output=forked["output"],
        forked_from=forked["forked_from"], forked_at_step=forked["forked_at_step"])

    # Errors are SQLSTATEs of class SF (docs/sql-api.md), never messages to parse.
    try:
        sf.fork(done["workflow_id"], 9)
    except psycopg.Error as error:
        say("error", sqlstate=error.sqlstate, message=error.diag.message_primary)


if __name__ == "__main__":
    main()
