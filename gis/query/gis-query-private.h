/* gis-query-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-query.h"

G_BEGIN_DECLS

int       gis_compare_op_n_values    (GisCompareOp  op);
gboolean  gis_query_is_keyword       (const char   *word);
gboolean  gis_query_is_geometry_word (const char   *word);

G_END_DECLS
