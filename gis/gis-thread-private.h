/* gis-thread-private.h: per-thread handles of GEOS and PROJ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <geos_c.h>
#include <proj.h>

G_BEGIN_DECLS

GEOSContextHandle_t  gis_thread_get_geos (void);
PJ_CONTEXT          *gis_thread_get_proj (void);
void                 gis_thread_set_gdal_error (GError    **error,
                                                int         code,
                                                const char *prefix);

G_END_DECLS
