/* atalaya-map-view.h: the map canvas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

/**
 * AtalayaMapTool:
 * @ATALAYA_MAP_TOOL_PAN: drag pans, click identifies
 * @ATALAYA_MAP_TOOL_SELECT: click selects, drag selects a rectangle
 * @ATALAYA_MAP_TOOL_ADD_POINT: click adds a point to the edit layer
 * @ATALAYA_MAP_TOOL_MOVE_POINT: drag a point of the edit layer
 * @ATALAYA_MAP_TOOL_DRAW_POLYGON: clicks add vertices of a polygon; a
 *   double click or Enter closes it, Backspace removes the last vertex,
 *   Escape cancels (AtalayaMapView::polygon-drawn)
 * @ATALAYA_MAP_TOOL_PICK_POINT: a click picks a point
 *   (AtalayaMapView::point-picked)
 */
typedef enum
{
  ATALAYA_MAP_TOOL_PAN,
  ATALAYA_MAP_TOOL_SELECT,
  ATALAYA_MAP_TOOL_ADD_POINT,
  ATALAYA_MAP_TOOL_MOVE_POINT,
  ATALAYA_MAP_TOOL_DRAW_POLYGON,
  ATALAYA_MAP_TOOL_PICK_POINT,
} AtalayaMapTool;

#define ATALAYA_TYPE_MAP_VIEW (atalaya_map_view_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaMapView, atalaya_map_view, ATALAYA, MAP_VIEW, GtkWidget)

/**
 * AtalayaMapRenderFunc:
 * @state: the view to draw, in logical pixels
 * @device_scale: device pixels per logical pixel of the image to make
 * @scene: (nullable): what to draw, as given to atalaya_map_view_set_scene()
 * @cancellable: cancelled when a newer render starts
 * @user_data: closure
 *
 * Draws a map image on a worker thread.
 *
 * Returns: (transfer full) (nullable): an ARGB32 image of the state's
 *   size times @device_scale
 */
typedef cairo_surface_t *(*AtalayaMapRenderFunc) (const GisViewState *state,
                                                  double              device_scale,
                                                  GObject            *scene,
                                                  GCancellable       *cancellable,
                                                  gpointer            user_data);

GtkWidget      *atalaya_map_view_new              (void);
GisViewport    *atalaya_map_view_get_viewport     (AtalayaMapView       *self);
void            atalaya_map_view_set_render_func  (AtalayaMapView       *self,
                                                   AtalayaMapRenderFunc  func,
                                                   gpointer              user_data);
void            atalaya_map_view_set_scene        (AtalayaMapView       *self,
                                                   GObject              *scene);
void            atalaya_map_view_set_marker       (AtalayaMapView       *self,
                                                   gboolean              visible,
                                                   double                lon,
                                                   double                lat);
void            atalaya_map_view_queue_render     (AtalayaMapView       *self);
gboolean        atalaya_map_view_is_rendering     (AtalayaMapView       *self);
GdkTexture     *atalaya_map_view_get_texture      (AtalayaMapView       *self);
AtalayaMapTool  atalaya_map_view_get_tool         (AtalayaMapView       *self);
void            atalaya_map_view_set_tool         (AtalayaMapView       *self,
                                                   AtalayaMapTool        tool);
void            atalaya_map_view_zoom_in          (AtalayaMapView       *self);
void            atalaya_map_view_zoom_out         (AtalayaMapView       *self);
gboolean        atalaya_map_view_zoom_to_lonlat   (AtalayaMapView       *self,
                                                   const GisExtent      *lonlat_extent);
void            atalaya_map_view_get_frame_stats  (AtalayaMapView       *self,
                                                   guint                *n_frames,
                                                   double               *max_frame_ms,
                                                   double               *max_main_thread_ms);
void            atalaya_map_view_reset_frame_stats (AtalayaMapView      *self);
void            atalaya_map_view_clear_sketch     (AtalayaMapView       *self);
guint           atalaya_map_view_get_n_sketch_vertices (AtalayaMapView  *self);

G_END_DECLS
