"""A stand-in for a detector that follows a live stream: replays a MOTChallenge det.txt in step with
the stream, appending one JSONL line per box (keyed by the frame's `pts`, or its `wall_time`) to a
file or a named pipe, as a real detector reading the same stream would.

Frame n (0-based; det.txt frame n + 1) of loop k is written `lag` seconds after its moment
`start + (k * frames + n) / fps` (`--start`: when the streamer started, default now), keyed by `pts = pts_offset + (k * frames + n) / fps` (the stream's
presentation time: ffmpeg's MPEG-TS muxer starts a stream at its mux delay, so the caller measures the
offset of the stream it runs). A frame with no box gets a line with the key alone ("looked, nobody").

    live_detector.py --det left.det.txt --out dets.jsonl --fps 10 --frames 795 --pts-offset 1.5 [--loop]
        [--key pts|wall_time] [--lag 0.2] [--start EPOCH_SECONDS] [--truncate]

Runs until it has written every frame once (or forever with --loop, until SIGTERM / SIGINT). Prints
`started` on stdout once the file is open, and `frame N` every 100 frames.
"""

import argparse
import datetime
import json
import signal
import sys
import time


def load(path):
    boxes = {}
    with open(path) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) < 7:
                continue
            frame = int(float(parts[0])) - 1
            x, y, w, h, conf = (float(v) for v in parts[2:7])
            boxes.setdefault(frame, []).append((x, y, w, h, conf))
    return boxes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--det", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fps", type=float, required=True)
    ap.add_argument("--frames", type=int, required=True, help="frames in one pass of the footage")
    ap.add_argument("--pts-offset", type=float, default=0.0)
    ap.add_argument("--key", choices=["pts", "wall_time"], default="pts")
    ap.add_argument("--lag", type=float, default=0.0, help="seconds after the frame's moment its lines are written")
    ap.add_argument("--start", type=float, help="wall-clock seconds (since 1970) when the stream started; default now")
    ap.add_argument("--loop", action="store_true")
    ap.add_argument("--truncate", action="store_true", help="empty the file first instead of appending")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    boxes = load(args.det)
    out = open(args.out, "w" if args.truncate else "a", buffering=1)
    print("started", flush=True)
    start_wall = args.start if args.start is not None else time.time()
    start_mono = time.monotonic() - (time.time() - start_wall)
    i = 0
    while args.loop or i < args.frames:
        due = start_mono + i / args.fps + args.lag
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        n = i % args.frames
        if args.key == "pts":
            key = {"pts": round(args.pts_offset + i / args.fps, 6)}
        else:
            moment = datetime.datetime.fromtimestamp(start_wall + i / args.fps, tz=datetime.timezone.utc)
            key = {"wall_time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
        frame_boxes = boxes.get(n, [])
        lines = [json.dumps({**key, "x": x, "y": y, "w": w, "h": h, "score": c}) for (x, y, w, h, c) in frame_boxes]
        if not lines:
            lines = [json.dumps(key)]
        # One write per frame: a follower never sees half a frame's lines for long.
        out.write("\n".join(lines) + "\n")
        i += 1
        if i % 100 == 0:
            print(f"frame {i}", flush=True)
    out.close()


if __name__ == "__main__":
    main()
