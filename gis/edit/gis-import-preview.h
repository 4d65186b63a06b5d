/* gis-import-preview.h: what a file holds, before importing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-import.h"
#include "gis-layer.h"

G_BEGIN_DECLS

#define GIS_TYPE_IMPORT_PREVIEW (gis_import_preview_get_type ())

typedef struct _GisImportPreview GisImportPreview;

GType               gis_import_preview_get_type          (void) G_GNUC_CONST;

GisImportPreview   *gis_import_preview                   (const char              *path,
                                                          const GisImportOptions  *options,
                                                          guint                    max_rows,
                                                          GCancellable            *cancellable,
                                                          GError                 **error);
GisImportPreview   *gis_import_preview_ref               (GisImportPreview        *self);
void                gis_import_preview_unref             (GisImportPreview        *self);

const char         *gis_import_preview_get_path          (GisImportPreview        *self);
gboolean            gis_import_preview_is_csv            (GisImportPreview        *self);
const char * const *gis_import_preview_get_source_layers (GisImportPreview        *self);
const char         *gis_import_preview_get_source_layer  (GisImportPreview        *self);
const char         *gis_import_preview_get_layer_name    (GisImportPreview        *self);
const char         *gis_import_preview_get_geometry_type (GisImportPreview        *self);
const char         *gis_import_preview_get_crs_name      (GisImportPreview        *self);
gint64              gis_import_preview_get_feature_count (GisImportPreview        *self);

guint               gis_import_preview_get_n_columns     (GisImportPreview        *self);
const char         *gis_import_preview_get_column_name   (GisImportPreview        *self,
                                                          guint                    column);
GisFieldType        gis_import_preview_get_column_type   (GisImportPreview        *self,
                                                          guint                    column);
gboolean            gis_import_preview_column_is_geometry (GisImportPreview       *self,
                                                          guint                    column);
int                 gis_import_preview_find_column       (GisImportPreview        *self,
                                                          const char              *name);

guint               gis_import_preview_get_n_rows        (GisImportPreview        *self);
const char         *gis_import_preview_get_value         (GisImportPreview        *self,
                                                          guint                    row,
                                                          guint                    column);

const char         *gis_import_preview_get_x_field       (GisImportPreview        *self);
const char         *gis_import_preview_get_y_field       (GisImportPreview        *self);
const char         *gis_import_preview_get_wkt_field     (GisImportPreview        *self);
char                gis_import_preview_get_delimiter     (GisImportPreview        *self);
gboolean            gis_import_preview_get_decimal_comma (GisImportPreview        *self);

char               *gis_import_preview_parse_date        (const char              *text,
                                                          const char              *format,
                                                          GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisImportPreview, gis_import_preview_unref)

G_END_DECLS
