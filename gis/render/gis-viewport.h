/* gis-viewport.h: what part of the map a view shows, and its pixel math
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "gis-crs.h"
#include "gis-extent.h"

G_BEGIN_DECLS

/**
 * GisViewState:
 * @center_x: map x (easting or longitude) at the centre of the view
 * @center_y: map y at the centre of the view
 * @resolution: map units per pixel, > 0
 * @width_px: view width in pixels
 * @height_px: view height in pixels
 *
 * A plain value: a render job takes a copy, so it can cross threads.
 * Pixel (0, 0) is the top-left corner of the top-left pixel; y grows
 * downwards on screen and upwards on the map.
 */
typedef struct
{
  double center_x;
  double center_y;
  double resolution;
  int    width_px;
  int    height_px;
} GisViewState;

void     gis_view_state_map_to_pixel (const GisViewState *state,
                                      double              map_x,
                                      double              map_y,
                                      double             *px,
                                      double             *py);
void     gis_view_state_pixel_to_map (const GisViewState *state,
                                      double              px,
                                      double              py,
                                      double             *map_x,
                                      double             *map_y);
void     gis_view_state_get_extent   (const GisViewState *state,
                                      GisExtent          *out_extent);

#define GIS_TYPE_VIEWPORT (gis_viewport_get_type ())

G_DECLARE_FINAL_TYPE (GisViewport, gis_viewport, GIS, VIEWPORT, GObject)

GisViewport *gis_viewport_new              (GisCrs          *crs);
GisCrs      *gis_viewport_get_crs          (GisViewport     *self);
gboolean     gis_viewport_set_crs          (GisViewport     *self,
                                            GisCrs          *crs,
                                            GError         **error);
void         gis_viewport_get_state        (GisViewport     *self,
                                            GisViewState    *out_state);
void         gis_viewport_set_size         (GisViewport     *self,
                                            int              width_px,
                                            int              height_px);
int          gis_viewport_get_width        (GisViewport     *self);
int          gis_viewport_get_height       (GisViewport     *self);
void         gis_viewport_set_center       (GisViewport     *self,
                                            double           map_x,
                                            double           map_y);
void         gis_viewport_get_center       (GisViewport     *self,
                                            double          *map_x,
                                            double          *map_y);
double       gis_viewport_get_resolution   (GisViewport     *self);
void         gis_viewport_set_resolution   (GisViewport     *self,
                                            double           resolution);
void         gis_viewport_pan_pixels       (GisViewport     *self,
                                            double           dx_px,
                                            double           dy_px);
void         gis_viewport_zoom_at          (GisViewport     *self,
                                            double           factor,
                                            double           px,
                                            double           py);
void         gis_viewport_fit_extent       (GisViewport     *self,
                                            const GisExtent *map_extent,
                                            double           padding_px);
gboolean     gis_viewport_fit_lonlat       (GisViewport     *self,
                                            const GisExtent *lonlat_extent,
                                            double           padding_px);
void         gis_viewport_map_to_pixel     (GisViewport     *self,
                                            double           map_x,
                                            double           map_y,
                                            double          *px,
                                            double          *py);
void         gis_viewport_pixel_to_map     (GisViewport     *self,
                                            double           px,
                                            double           py,
                                            double          *map_x,
                                            double          *map_y);
gboolean     gis_viewport_pixel_to_lonlat  (GisViewport     *self,
                                            double           px,
                                            double           py,
                                            double          *lon,
                                            double          *lat);
gboolean     gis_viewport_lonlat_to_pixel  (GisViewport     *self,
                                            double           lon,
                                            double           lat,
                                            double          *px,
                                            double          *py);
double       gis_viewport_get_scale        (GisViewport     *self,
                                            double           dpi);
double       gis_viewport_get_meters_per_pixel (GisViewport *self);

G_END_DECLS
