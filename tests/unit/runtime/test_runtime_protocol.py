"""The length-prefixed framing between the server and a worker."""

from __future__ import annotations

import asyncio
import os
import threading

from riverbed.runtime import protocol


def test_frame_round_trip_over_a_pipe_between_blocking_and_asyncio_ends():
    big = os.urandom(3 * 1024 * 1024)

    async def main() -> list[tuple[dict, bytes]]:
        read_fd, write_fd = os.pipe()

        def writer() -> None:
            protocol.write_frame_fd(write_fd, {"t": "result", "ok": True, "log": "é\n"}, b'{"a": 1}')
            protocol.write_frame_fd(write_fd, {"t": "empty"})
            protocol.write_frame_fd(write_fd, {"t": "big"}, big)
            os.close(write_fd)

        thread = threading.Thread(target=writer)
        thread.start()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                                    os.fdopen(read_fd, "rb", 0))
        frames = [await protocol.read_frame(reader) for _ in range(3)]
        try:
            await protocol.read_frame(reader)
            raise AssertionError("expected EOF")
        except asyncio.IncompleteReadError:
            pass
        transport.close()
        thread.join()
        return frames

    frames = asyncio.run(main())
    assert frames[0] == ({"t": "result", "ok": True, "log": "é\n"}, b'{"a": 1}')
    assert frames[1] == ({"t": "empty"}, b"")
    assert frames[2][0] == {"t": "big"} and frames[2][1] == big


def test_blocking_reader_returns_none_at_eof_even_mid_frame():
    read_fd, write_fd = os.pipe()
    frame = protocol.encode_frame({"id": "x"}, b"payload")
    os.write(write_fd, frame + frame[:5])
    os.close(write_fd)
    assert protocol.read_frame_fd(read_fd) == ({"id": "x"}, b"payload")
    assert protocol.read_frame_fd(read_fd) is None
    os.close(read_fd)
