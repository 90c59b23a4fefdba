/* Per-facility reach sets: the container (model/reach_sets.h). */
#include <stdlib.h>
#include <string.h>

#include "model/reach_sets.h"

void cov__reach_sets_free(cov__reach_sets *rs)
{
    if (!rs) return;
    free(rs->offset);
    free(rs->unit);
    free(rs->cost);
    memset(rs, 0, sizeof *rs);
}
