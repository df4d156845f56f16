"""A local SMTP server for the production smoke test: every message it receives is kept as a file.

    SMTP_USER=u SMTP_PASSWORD=p python scripts/smtp_catcher.py DIRECTORY PORT_FILE

Listens on 127.0.0.1 on a port the system picks (free by construction), writes that port to
PORT_FILE once it accepts connections, and keeps each message as DIRECTORY/NNNN.eml until it is
stopped (SIGTERM or SIGINT). With SMTP_USER and SMTP_PASSWORD set it requires that login (AUTH,
over plain SMTP on the loopback) before it takes a message, as a real mail server does. Needs
aiosmtpd (requirements-dev.txt): it runs beside the deployment, never inside it.
"""

import asyncio
import os
import signal
import sys
import warnings
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class Keep:
    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.count += 1
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        (self.directory / f"{self.count:04d}.eml").write_bytes(content)
        return "250 Message accepted"


# Plain-text AUTH is what this catcher is for: it listens on the loopback only.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")


def only(user: str, password: str):
    """An aiosmtpd authenticator that accepts this one login."""

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)

    return authenticator


def smtp(handler: Keep) -> SMTP:
    user, password = os.environ.get("SMTP_USER", ""), os.environ.get("SMTP_PASSWORD", "")
    if not user:
        return SMTP(handler)
    return SMTP(handler, authenticator=only(user, password), auth_required=True, auth_require_tls=False)


async def serve(directory: Path, port_file: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = Keep(directory)
    server = await loop.create_server(lambda: smtp(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    written = port_file.with_suffix(".tmp")
    written.write_text(str(port))
    written.rename(port_file)  # whole, or not there yet
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1]), Path(sys.argv[2])))
