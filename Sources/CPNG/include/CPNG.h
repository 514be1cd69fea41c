#ifndef PANOPTES_CPNG_H
#define PANOPTES_CPNG_H

#include <stddef.h>
#include <stdint.h>

/// Decodes a whole PNG file held in memory into packed RGB24 rows, with libpng.
///
/// Only the layouts whose RGB24 pixels are exactly those FFmpeg's PNG decoder and its RGB24 conversion
/// give (so `ffmpeg -i FILE -pix_fmt rgb24` agrees byte for byte): bit depth 8 grey, grey + alpha, RGB
/// and RGBA, and palettes of any depth. Alpha and transparency are dropped, not blended; gamma, colour
/// profiles and the other ancillary chunks are ignored, as FFmpeg ignores them. Interlaced files are
/// decoded whole.
///
/// `pixels` holds `height` rows of `stride` bytes (at least `3 * width`). Returns 1 when the file's
/// header is `width` x `height` in one of those layouts and the image decodes; 0 otherwise (another
/// layout, a damaged or truncated file), with `pixels` left partly written. libpng's messages are not
/// printed: a caller that gets 0 decodes the file another way, which reports what is wrong.
int panoptes_png_decode_rgb24(const uint8_t *data, size_t size, uint8_t *pixels, size_t stride, uint32_t width,
                              uint32_t height);

#endif
