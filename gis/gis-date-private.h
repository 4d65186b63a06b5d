/* gis-date-private.h: dates of imported rows to ISO 8601 UTC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */
#define GIS_DATE_ISO_LEN 21

gboolean gis_date_parse          (const char *text,
                                  gsize       len,
                                  const char *format,
                                  char        out[GIS_DATE_ISO_LEN]);
gboolean gis_date_format_is_valid (const char *format,
                                   char      **bad_directive);

G_END_DECLS
