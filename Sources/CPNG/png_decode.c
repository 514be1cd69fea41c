#include "CPNG.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct source {
    const uint8_t *data;
    size_t size, offset;
};

static void read_bytes(png_structp png, png_bytep out, size_t count) {
    struct source *source = png_get_io_ptr(png);
    if (count > source->size - source->offset) png_error(png, "truncated");
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
}

// Errors unwind to the setjmp below; warnings (unknown chunks, bad ancillary CRCs) are not the caller's concern.
static void quiet_error(png_structp png, png_const_charp message) {
    (void)message;
    png_longjmp(png, 1);
}

static void quiet_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

int panoptes_png_decode_rgb24(const uint8_t *data, size_t size, uint8_t *pixels, size_t stride, uint32_t width,
                              uint32_t height) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, quiet_error, quiet_warning);
    if (!png) return 0;
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    struct source source = {data, size, 0};
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        free(rows);
        return 0;
    }
    png_set_read_fn(png, &source, read_bytes);
    png_read_info(png, info);
    const int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    if (png_get_image_width(png, info) != width || png_get_image_height(png, info) != height) png_longjmp(png, 1);
    if (type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);  // any depth; a tRNS chunk becomes alpha, stripped below
    } else if (depth != 8) {
        png_longjmp(png, 1);  // 16-bit samples, and grey below 8 bits: FFmpeg's path
    }
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (type & PNG_COLOR_MASK_ALPHA || type == PNG_COLOR_TYPE_PALETTE) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 3 || stride < (size_t)width * 3) png_longjmp(png, 1);
    rows = malloc(sizeof *rows * height);
    if (!rows) png_longjmp(png, 1);
    for (uint32_t y = 0; y < height; y++) rows[y] = pixels + y * stride;
    png_read_image(png, rows);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return 1;
}
