"""A second process appending events to the same file as Panoptes, for the concurrent-append test.

usage: events_append.py PATH COUNT PAD

Appends COUNT schema-v1 `camera_error` lines from camera "peer" (seq 1..COUNT), each with a message
of PAD characters, each with one os.write on an O_APPEND descriptor, as JSONLEventWriter does.
"""
import os
import sys


def main() -> int:
    path, count, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for seq in range(1, count + 1):
            line = ('{"v":1,"seq":%d,"type":"camera_error","time":%d.0,"camera":"peer","message":"%s"}\n'
                    % (seq, seq, "p" * pad)).encode()
            written = os.write(fd, line)
            if written != len(line):
                print(f"short write: {written} of {len(line)}", file=sys.stderr)
                return 1
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
