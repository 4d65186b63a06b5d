/* gis-types.h: forward declarations and shared enums of the GIS core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GisStore GisStore;
typedef struct _GisLayer GisLayer;
typedef struct _GisImportOptions GisImportOptions;
typedef struct _GisImportReport GisImportReport;
typedef struct _GisExportOptions GisExportOptions;
typedef struct _GisExtent GisExtent;
typedef struct _GisCrs GisCrs;
typedef struct _GisTransform GisTransform;

/**
 * GisLayerRole:
 *
 * What a layer is for; analyses pick their inputs by role.
 */
typedef enum
{
  GIS_LAYER_ROLE_OTHER = 0,
  GIS_LAYER_ROLE_BOUNDARY,
  GIS_LAYER_ROLE_PORT,
  GIS_LAYER_ROLE_FACILITY,
  GIS_LAYER_ROLE_HABITAT,
  GIS_LAYER_ROLE_INCIDENT,
  GIS_LAYER_ROLE_RESOURCE,
  GIS_LAYER_ROLE_ZONE,
  GIS_LAYER_ROLE_RESULT,
} GisLayerRole;

/**
 * GisProgressFunc:
 * @fraction: done so far, 0 to 1, or a negative value when unknown
 * @message: (nullable): what is being done, translated
 * @user_data: closure
 *
 * Progress of long work.  Called on the thread that does the work.
 */
typedef void (*GisProgressFunc) (double      fraction,
                                 const char *message,
                                 gpointer    user_data);

const char   *gis_layer_role_to_string   (GisLayerRole  role);
gboolean      gis_layer_role_from_string (const char   *str,
                                          GisLayerRole *out_role);
const char   *gis_layer_role_to_label    (GisLayerRole  role);
const char   *gis_geometry_type_to_label (const char   *type);

G_END_DECLS
