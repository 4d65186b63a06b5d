/* gis-store-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "gis-store.h"

G_BEGIN_DECLS

sqlite3  *gis_store_get_db             (GisStore    *self);
GisStore *gis_store_create_at_version  (const char  *path,
                                        int          version,
                                        GError     **error);
char     *gis_store_make_table_name    (GisStore    *self,
                                        const char  *layer_name);
gboolean  gis_store_layer_name_exists  (GisStore    *self,
                                        const char  *name);
int       gis_store_next_z_order       (GisStore    *self);
gboolean  gis_store_checksum_query     (GChecksum   *sum,
                                        sqlite3     *db,
                                        const char  *sql,
                                        GError     **error);

G_END_DECLS
