/* gis-renderer.h: layers -> pixels or any cairo surface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "gis-layer-data.h"
#include "gis-style.h"
#include "gis-viewport.h"

G_BEGIN_DECLS

#define GIS_TYPE_RENDER_LAYER (gis_render_layer_get_type ())

typedef struct _GisRenderLayer GisRenderLayer;

/**
 * GisPointMode:
 * @GIS_POINT_MODE_AUTO: stamp every point while the layer has at most
 *   (width × height) / 4 visible points (in device pixels), else draw
 *   the per-pixel aggregate
 * @GIS_POINT_MODE_SYMBOLS: always stamp every visible point
 * @GIS_POINT_MODE_AGGREGATE: always draw the per-pixel aggregate: each
 *   pixel holding at least one point of a class stamps that class's
 *   symbol once
 *
 * How a point layer is drawn.  Only tests and benchmarks need anything
 * but %GIS_POINT_MODE_AUTO.
 */
typedef enum
{
  GIS_POINT_MODE_AUTO,
  GIS_POINT_MODE_SYMBOLS,
  GIS_POINT_MODE_AGGREGATE,
} GisPointMode;

GType            gis_render_layer_get_type       (void) G_GNUC_CONST;

GisRenderLayer  *gis_render_layer_new            (GisLayerData     *data,
                                                  GisStyle         *style,
                                                  GError          **error);
GisRenderLayer  *gis_render_layer_copy           (GisRenderLayer   *layer);
GisRenderLayer  *gis_render_layer_ref            (GisRenderLayer   *layer);
void             gis_render_layer_unref          (GisRenderLayer   *layer);

GisLayerData    *gis_render_layer_get_data       (GisRenderLayer   *layer);
GisStyle        *gis_render_layer_get_style      (GisRenderLayer   *layer);
const guint16   *gis_render_layer_get_classes    (GisRenderLayer   *layer);

double           gis_render_layer_get_opacity    (GisRenderLayer   *layer);
void             gis_render_layer_set_opacity    (GisRenderLayer   *layer,
                                                  double            opacity);
void             gis_render_layer_get_time_range (GisRenderLayer   *layer,
                                                  gint64           *out_min_s,
                                                  gint64           *out_max_s);
void             gis_render_layer_set_time_range (GisRenderLayer   *layer,
                                                  gint64            min_s,
                                                  gint64            max_s);
const gint64    *gis_render_layer_get_selection  (GisRenderLayer   *layer,
                                                  gsize            *out_n_fids);
void             gis_render_layer_set_selection  (GisRenderLayer   *layer,
                                                  const gint64     *fids,
                                                  gsize             n_fids);
gboolean         gis_render_layer_get_show_labels (GisRenderLayer  *layer);
void             gis_render_layer_set_show_labels (GisRenderLayer  *layer,
                                                  gboolean          show_labels);
GisPointMode     gis_render_layer_get_point_mode (GisRenderLayer   *layer);
void             gis_render_layer_set_point_mode (GisRenderLayer   *layer,
                                                  GisPointMode      mode);
gboolean         gis_render_layer_is_visible     (GisRenderLayer   *layer,
                                                  guint             index);

void             gis_render_set_max_threads      (int                     n);
cairo_surface_t *gis_render_image                (const GisViewState     *view,
                                                  GisRenderLayer *const  *layers,
                                                  guint                   n_layers,
                                                  double                  device_scale,
                                                  GCancellable           *cancellable);
gboolean         gis_render_to_cairo             (cairo_t                *cr,
                                                  const GisViewState     *view,
                                                  GisRenderLayer *const  *layers,
                                                  guint                   n_layers,
                                                  gboolean                vector_output,
                                                  GCancellable           *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisRenderLayer, gis_render_layer_unref)

G_END_DECLS
