/* gis-composition-private.h: what a loaded composition holds, for its layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-composition.h"
#include "gis-layer.h"
#include "gis-render.h"

G_BEGIN_DECLS

/* One layer of the map, bottom first. */
typedef struct
{
  GisLayer       *layer;
  GisStyle       *style;          /* with a graduated style's breaks */
  GisLayerData   *data;
  GisRenderLayer *render;
  /* the method record of a result layer, or NULLs */
  char           *run_kind;
  char           *run_params_json;
  char           *run_inputs_json;
  char           *run_started_at;
} GisComposeLayer;

struct _GisComposition
{
  GObject          parent_instance;

  /* settings */
  char            *store_path;
  GisPageSize      page;
  gboolean         landscape;
  double           margin_mm;
  char            *title;
  char            *subtitle;
  GisLanguage      language;
  GisCrs          *crs;
  gboolean         has_extent;
  GisExtent        extent_lonlat;   /* in extent_crs's units when there is one */
  GisCrs          *extent_crs;
  char            *feature_layer;
  char            *feature_field;
  char            *feature_value;
  char           **layer_names;
  char            *atlas_layer;
  char            *atlas_title_field;
  gboolean         locator;
  GDateTime       *date;

  /* loaded by gis_composition_load() */
  gboolean         loaded;
  GPtrArray       *layers;          /* GisComposeLayer */
  GisExtent        data_extent;     /* display CRS */
  GisLayerData    *frame_data;      /* the atlas layer, or the --feature one */
  int              frame_column;    /* its title or key column, or -1 */
  GArray          *frame_features;  /* guint: the features framed, one per page */
  GisLayerData    *locator_data;
  GisRenderLayer  *locator_render;

  /* pages of their own after the map pages */
  GPtrArray       *extra_pages;     /* GisComposeExtraPage */
};

typedef struct
{
  char                   *title;    /* English, looked up in the export's language */
  GisCompositionPageFunc  func;
  gpointer                user_data;
  GDestroyNotify          destroy;
} GisComposeExtraPage;

gboolean gis_compose_draw_page (GisComposition *self,
                                cairo_t        *cr,
                                guint           page,
                                gboolean        vector_output,
                                GString        *svg_text,
                                GCancellable   *cancellable,
                                GError        **error);

guint    gis_compose_n_map_pages  (GisComposition *self);
gboolean gis_compose_draw_extra_page (GisComposition *self,
                                      cairo_t        *cr,
                                      guint           page,
                                      GString        *svg_text,
                                      GCancellable   *cancellable,
                                      GError        **error);

G_END_DECLS
