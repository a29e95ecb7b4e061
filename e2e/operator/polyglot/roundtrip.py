# One NATS round trip (or a single publish) from Python with nats-py, the way a Python application
# mounts its credentials Secret: polyglot.ts runs it to prove the operator's credentials work from
# a third client library. Dials the server by address and verifies its certificate against the
# cluster CA under the client Service name (tls_hostname), never without verification.
#   roundtrip.py roundtrip SUBJECT PAYLOAD   prints the payload received on SUBJECT
#   roundtrip.py publish SUBJECT PAYLOAD     publishes once and confirms with a flush
# Credentials come as environment variables naming files (never the secrets themselves on argv):
# NATS_ADDRESS, NATS_SERVERNAME, NATS_CA, and optionally NATS_CERT + NATS_KEY, NATS_CREDS,
# NATS_NKEY, NATS_USER + NATS_PASSWORD. On failure it exits 1 with the client's error on stderr.
import asyncio
import os
import ssl
import sys

import nats


async def main(mode: str, subject: str, payload: str) -> None:
    env = os.environ
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=env["NATS_CA"])
    if env.get("NATS_CERT"):
        context.load_cert_chain(env["NATS_CERT"], env["NATS_KEY"])
    errors: list[str] = []

    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    options = dict(
        servers=[f"tls://{env['NATS_ADDRESS']}:4222"],
        tls=context,
        tls_hostname=env["NATS_SERVERNAME"],
        error_cb=on_error,
        allow_reconnect=False,
        max_reconnect_attempts=0,
        connect_timeout=5,
    )
    if env.get("NATS_CREDS"):
        options["user_credentials"] = env["NATS_CREDS"]
    if env.get("NATS_NKEY"):
        options["nkeys_seed"] = env["NATS_NKEY"]
    if env.get("NATS_USER"):
        options["user"] = env["NATS_USER"]
        options["password"] = env.get("NATS_PASSWORD", "")
    try:
        nc = await nats.connect(**options)
    except Exception as error:  # the client's own refusal, e.g. "nats: authorization failed"
        fail(errors + [f"{type(error).__name__}: {error}"])
    try:
        if mode == "publish":
            await nc.publish(subject, payload.encode())
            await nc.flush(timeout=5)
            await asyncio.sleep(0.05)  # an -ERR the server sent before the PONG reaches error_cb
            if errors:
                fail(errors)
            return
        sub = await nc.subscribe(subject)
        await nc.flush(timeout=5)
        await nc.publish(subject, payload.encode())
        try:
            msg = await sub.next_msg(timeout=5)
        except Exception as error:
            fail(errors + [f"{type(error).__name__}: no message on {subject}"])
        sys.stdout.write(msg.data.decode())
    finally:
        if nc.is_connected:
            await nc.close()


def fail(messages: list[str]) -> None:
    sys.stderr.write("; ".join(messages) + "\n")
    sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
