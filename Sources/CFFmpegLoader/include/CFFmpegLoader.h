#ifndef PANOPTES_CFFMPEG_LOADER_H
#define PANOPTES_CFFMPEG_LOADER_H

#include <stddef.h>

/// FFmpeg's libraries (libavutil, libswscale, libavcodec, libavformat), loaded when first needed rather
/// than when the process starts.
///
/// Linked the usual way, the four libraries and the hundred and fifty they depend on (every codec library
/// Debian builds FFmpeg with) were loaded and relocated before `main`: `panoptes --version` took 46 ms
/// instead of 12, and every command paid it, `tail` and `validate` included. Now the executable does not name them: this target defines each
/// FFmpeg function Panoptes calls (hidden, so the libraries never see them) as a forwarder through a
/// pointer that `dlsym` fills when the libraries are loaded, once per process: by `panoptes_ffmpeg_load`
/// (VideoIO calls it before it opens anything) or else by the first forwarded call.

/// Loads the four libraries if they are not loaded yet (once per process; other callers wait for it).
/// Returns 1 when they are loaded; 0 when they cannot be, with the loader's message (naming the library)
/// in `message` (`size` bytes, always terminated) when `message` is not NULL.
int panoptes_ffmpeg_load(char *message, size_t size);

/// The same for the codec libraries alone (libavutil, libswscale, libavcodec): what decoding a still
/// image from memory needs. libavformat and the libraries it brings stay unloaded until something opens
/// a container or a stream.
int panoptes_ffmpeg_load_codecs(char *message, size_t size);

#endif
