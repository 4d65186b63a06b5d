/* gis-import-private.h: what an import would see, for the import preview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-import.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean   is_csv;
  char      *layer_name;      /* the source layer's own name */
  char      *geometry_type;   /* SpatiaLite name, or "NONE" */
  char      *crs_name;        /* (nullable): NULL when the file states none */
  gint64     n_features;      /* -1 when counting would cost a pass */
  GPtrArray *fields;          /* GisField: the attribute columns the import makes */
  /* CSV only */
  char       delimiter;
  gboolean   decimal_comma;
  char      *x_field;         /* (nullable) given or detected */
  char      *y_field;         /* (nullable) */
  char      *wkt_field;       /* (nullable) */
} GisImportProbe;

GisImportProbe *gis_import_probe        (const char              *path,
                                         const GisImportOptions  *options,
                                         GCancellable            *cancellable,
                                         GError                 **error);
void            gis_import_probe_free   (GisImportProbe          *probe);
gboolean        gis_import_is_csv_path  (const char              *path);
const char     *gis_country_code_from_text (const char           *s,
                                            gsize                 len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisImportProbe, gis_import_probe_free)

G_END_DECLS
