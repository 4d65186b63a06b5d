/* gis-layer.h: one row of a store's layer registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "gis-types.h"
#include "gis-extent.h"

G_BEGIN_DECLS

#define GIS_TYPE_LAYER (gis_layer_get_type ())

/** The geometry_type of a raster layer in the registry: a grid of cells
 * in atalaya_rasters (gis-raster.h), no table. */
#define GIS_RASTER_GEOMETRY_TYPE "RASTER"

G_DECLARE_FINAL_TYPE (GisLayer, gis_layer, GIS, LAYER, GObject)

/**
 * GisFieldType:
 *
 * Storage type of an attribute column.
 */
typedef enum
{
  GIS_FIELD_INTEGER,
  GIS_FIELD_REAL,
  GIS_FIELD_TEXT,
  GIS_FIELD_BLOB,
} GisFieldType;

typedef struct
{
  char         *name;
  GisFieldType  type;
} GisField;

void          gis_field_free             (GisField *field);
const char   *gis_field_type_to_sql      (GisFieldType type);
const char   *gis_field_type_to_string   (GisFieldType type);

gint64        gis_layer_get_id            (GisLayer *self);
const char   *gis_layer_get_name          (GisLayer *self);
const char   *gis_layer_get_table_name    (GisLayer *self);
GisLayerRole  gis_layer_get_role          (GisLayer *self);
const char   *gis_layer_get_geometry_type (GisLayer *self);
int           gis_layer_get_srid          (GisLayer *self);
const char   *gis_layer_get_source        (GisLayer *self);
const char   *gis_layer_get_imported_at   (GisLayer *self);
gint64        gis_layer_get_feature_count (GisLayer *self);
const GisExtent *gis_layer_get_extent     (GisLayer *self);
const char   *gis_layer_get_style_json    (GisLayer *self);
void          gis_layer_set_style_json    (GisLayer   *self,
                                           const char *style_json);
gboolean      gis_layer_get_visible       (GisLayer *self);
void          gis_layer_set_visible       (GisLayer *self,
                                           gboolean  visible);
int           gis_layer_get_z_order       (GisLayer *self);
void          gis_layer_set_z_order       (GisLayer *self,
                                           int       z_order);
double        gis_layer_get_opacity       (GisLayer *self);
void          gis_layer_set_opacity       (GisLayer *self,
                                           double    opacity);
gboolean      gis_layer_is_point_layer    (GisLayer *self);
gboolean      gis_layer_is_raster         (GisLayer *self);

G_END_DECLS
