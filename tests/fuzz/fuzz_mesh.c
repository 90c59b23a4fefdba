/* Fuzz target: the JIS X 0410 mesh-code parser. The input is the code
 * itself (any bytes). A code that decodes must be re-encoded to itself from
 * its cell's centre at its level (an independent path through the encoder),
 * and its bounds must be ordered and inside the mesh system's range; one
 * that fails must leave a reason. The public decoder (NUL-terminated) must
 * agree with the internal one on codes without NUL bytes. */
#include "fuzz_util.h"
#include "io/mesh_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cov_mesh_cell cell = {0};
    char why[200];
    int bad = cov__mesh_decode_n((const char *)data, size, &cell, why, sizeof why);
    if (bad) {
        if (!why[0]) abort();
    } else {
        if (!(cell.west_lon_degree < cell.east_lon_degree) ||
            !(cell.south_lat_degree < cell.north_lat_degree) ||
            cell.west_lon_degree < 100.0 || cell.east_lon_degree > 180.0 ||
            cell.south_lat_degree < 0.0 || cell.north_lat_degree > 66.67)
            abort();
        cov_ctx *ctx = cov_ctx_create();
        char code[11];
        if (!ctx ||
            cov_mesh_encode(ctx, 0.5 * (cell.west_lon_degree + cell.east_lon_degree),
                            0.5 * (cell.south_lat_degree + cell.north_lat_degree), cell.level,
                            code) != COV_OK ||
            strlen(code) != size || memcmp(code, data, size) != 0)
            abort();
        cov_ctx_destroy(ctx);
    }
    if (size < 64 && !memchr(data, 0, size)) {
        char s[64];
        memcpy(s, data, size);
        s[size] = '\0';
        cov_ctx *ctx = cov_ctx_create();
        cov_mesh_cell pub;
        int st = cov_mesh_decode(ctx, s, &pub);
        if ((st == COV_OK) != !bad) abort();
        if (st == COV_OK &&
            (pub.level != cell.level || pub.west_lon_degree != cell.west_lon_degree ||
             pub.south_lat_degree != cell.south_lat_degree ||
             pub.east_lon_degree != cell.east_lon_degree ||
             pub.north_lat_degree != cell.north_lat_degree))
            abort();
        if (st != COV_OK && !cov_last_message(ctx)[0]) abort();
        cov_ctx_destroy(ctx);
    }
    return 0;
}
