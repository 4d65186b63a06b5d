/* gis-store.h: an Atalaya store (one SpatiaLite database file)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-layer.h"

G_BEGIN_DECLS

/** The schema this version of Atalaya writes.  Older stores are migrated
 * on open; newer ones are refused. */
#define GIS_STORE_SCHEMA_VERSION 3

/* The oldest schema a read-only open reads as it is (newer ones only add
 * tables a reader can do without); older ones must be upgraded first. */
#define GIS_STORE_READ_ONLY_MIN_VERSION 2

#define GIS_TYPE_STORE (gis_store_get_type ())

G_DECLARE_FINAL_TYPE (GisStore, gis_store, GIS, STORE, GObject)

typedef enum
{
  GIS_STORE_OPEN_READ_WRITE = 0,
  GIS_STORE_OPEN_READ_ONLY  = 1 << 0,
} GisStoreOpenFlags;

GisStore    *gis_store_create               (const char         *path,
                                             GError            **error);
GisStore    *gis_store_open                 (const char         *path,
                                             GisStoreOpenFlags   flags,
                                             GError            **error);
void         gis_store_open_async           (const char         *path,
                                             GisStoreOpenFlags   flags,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
GisStore    *gis_store_open_finish          (GAsyncResult       *result,
                                             GError            **error);
const char  *gis_store_get_path             (GisStore           *self);
gboolean     gis_store_is_read_only         (GisStore           *self);
int          gis_store_get_schema_version   (GisStore           *self);
char        *gis_store_get_meta             (GisStore           *self,
                                             const char         *key);
GListModel  *gis_store_list_layers          (GisStore           *self,
                                             GError            **error);
GisLayer    *gis_store_get_layer            (GisStore           *self,
                                             const char         *name,
                                             GError            **error);
GPtrArray   *gis_store_get_fields           (GisStore           *self,
                                             GisLayer           *layer,
                                             GError            **error);
gboolean     gis_store_remove_layer         (GisStore           *self,
                                             GisLayer           *layer,
                                             GError            **error);
gboolean     gis_store_save_layer_properties (GisStore          *self,
                                             GisLayer           *layer,
                                             GError            **error);
char        *gis_store_checksum             (GisStore           *self,
                                             GError            **error);
gboolean     gis_store_check                (GisStore           *self,
                                             GError            **error);

G_END_DECLS
