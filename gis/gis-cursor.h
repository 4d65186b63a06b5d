/* gis-cursor.h: rows of a read-only query on a store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-store.h"

G_BEGIN_DECLS

typedef struct _GisCursor GisCursor;

typedef enum
{
  GIS_VALUE_NULL,
  GIS_VALUE_INTEGER,
  GIS_VALUE_REAL,
  GIS_VALUE_TEXT,
  GIS_VALUE_BLOB,
  GIS_VALUE_GEOMETRY,
} GisValueType;

GisCursor    *gis_store_query              (GisStore      *store,
                                            const char    *sql,
                                            GError       **error);
void          gis_cursor_free              (GisCursor     *cursor);
guint         gis_cursor_get_n_columns     (GisCursor     *cursor);
const char   *gis_cursor_get_column_name   (GisCursor     *cursor,
                                            guint          column);
const char   *gis_cursor_get_column_decltype (GisCursor   *cursor,
                                            guint          column);
gboolean      gis_cursor_next              (GisCursor     *cursor,
                                            GCancellable  *cancellable,
                                            GError       **error);
GisValueType  gis_cursor_get_value_type    (GisCursor     *cursor,
                                            guint          column);
gint64        gis_cursor_get_int64         (GisCursor     *cursor,
                                            guint          column);
double        gis_cursor_get_double        (GisCursor     *cursor,
                                            guint          column);
const char   *gis_cursor_get_text          (GisCursor     *cursor,
                                            guint          column);
const guint8 *gis_cursor_get_blob          (GisCursor     *cursor,
                                            guint          column,
                                            gsize         *len);
guint8       *gis_cursor_get_wkb           (GisCursor     *cursor,
                                            guint          column,
                                            gsize         *len,
                                            int           *srid);
char         *gis_cursor_get_wkt           (GisCursor     *cursor,
                                            guint          column);
char         *gis_cursor_format_value      (GisCursor     *cursor,
                                            guint          column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisCursor, gis_cursor_free)

G_END_DECLS
