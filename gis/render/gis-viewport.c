/* gis-viewport.c: the view of a map, in the manner of ShumateViewport
 *
 * A viewport is the centre of the view in map units of its CRS, a
 * resolution in map units per pixel and a size in pixels.  Its pixel math
 * is exact, so that a drag of N pixels moves the map by N pixels and a
 * zoom about the cursor leaves the point under the cursor where it was.
 * A GisViewport lives on the main thread; render jobs take a GisViewState
 * copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-viewport"

#include "config.h"

#include <math.h>

#include "gis-error.h"
#include "gis-viewport.h"

#define EARTH_RADIUS_M 6371008.8

struct _GisViewport
{
  GObject       parent_instance;

  GisCrs       *crs;
  GisTransform *to_lonlat;
  GisTransform *from_lonlat;
  GisViewState  state;
  double        min_resolution;
  double        max_resolution;
};

G_DEFINE_FINAL_TYPE (GisViewport, gis_viewport, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the pure math ----------------------------------------------------- */

void
gis_view_state_map_to_pixel (const GisViewState *state,
                             double              map_x,
                             double              map_y,
                             double             *px,
                             double             *py)
{
  *px = (map_x - state->center_x) / state->resolution + state->width_px / 2.0;
  *py = (state->center_y - map_y) / state->resolution + state->height_px / 2.0;
}

void
gis_view_state_pixel_to_map (const GisViewState *state,
                             double              px,
                             double              py,
                             double             *map_x,
                             double             *map_y)
{
  *map_x = state->center_x + (px - state->width_px / 2.0) * state->resolution;
  *map_y = state->center_y - (py - state->height_px / 2.0) * state->resolution;
}

void
gis_view_state_get_extent (const GisViewState *state,
                           GisExtent          *out_extent)
{
  double half_w = state->width_px / 2.0 * state->resolution;
  double half_h = state->height_px / 2.0 * state->resolution;

  out_extent->min_x = state->center_x - half_w;
  out_extent->max_x = state->center_x + half_w;
  out_extent->min_y = state->center_y - half_h;
  out_extent->max_y = state->center_y + half_h;
}

/* ---- the object ------------------------------------------------------------ */

static void
gis_viewport_finalize (GObject *object)
{
  GisViewport *self = (GisViewport *) object;

  g_clear_pointer (&self->to_lonlat, gis_transform_free);
  g_clear_pointer (&self->from_lonlat, gis_transform_free);
  g_clear_pointer (&self->crs, gis_crs_unref);

  G_OBJECT_CLASS (gis_viewport_parent_class)->finalize (object);
}

static void
gis_viewport_class_init (GisViewportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gis_viewport_finalize;

  /**
   * GisViewport::changed:
   *
   * The centre, resolution, size or CRS changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gis_viewport_init (GisViewport *self)
{
  self->state.resolution = 1.0;
  self->state.width_px = 1;
  self->state.height_px = 1;
}

static void
changed (GisViewport *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
apply_crs (GisViewport  *self,
           GisCrs       *crs,
           GError      **error)
{
  g_autoptr(GisCrs) lonlat = gis_crs_new_storage ();
  GisTransform *to = NULL;
  GisTransform *from = NULL;

  to = gis_transform_new (crs, lonlat, error);
  if (to == NULL)
    return FALSE;
  from = gis_transform_new (lonlat, crs, error);
  if (from == NULL)
    {
      gis_transform_free (to);
      return FALSE;
    }

  g_clear_pointer (&self->to_lonlat, gis_transform_free);
  g_clear_pointer (&self->from_lonlat, gis_transform_free);
  g_clear_pointer (&self->crs, gis_crs_unref);
  self->crs = gis_crs_ref (crs);
  self->to_lonlat = to;
  self->from_lonlat = from;

  if (gis_crs_is_geographic (crs))
    {
      self->min_resolution = 1e-7;    /* about a centimetre */
      self->max_resolution = 1.0;     /* a degree per pixel */
    }
  else
    {
      self->min_resolution = 0.01;
      self->max_resolution = 100000.0;
    }
  return TRUE;
}

/**
 * gis_viewport_new:
 * @crs: the display CRS
 *
 * Returns: (transfer full): a viewport of 1x1 pixel at the CRS's origin
 */
GisViewport *
gis_viewport_new (GisCrs *crs)
{
  GisViewport *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (crs != NULL, NULL);

  self = g_object_new (GIS_TYPE_VIEWPORT, NULL);
  if (!apply_crs (self, crs, &error))
    g_critical ("Cannot use %s for display: %s", gis_crs_get_name (crs), error->message);
  return self;
}

/**
 * gis_viewport_get_crs:
 *
 * Returns: (transfer none): the display CRS
 */
GisCrs *
gis_viewport_get_crs (GisViewport *self)
{
  g_return_val_if_fail (GIS_IS_VIEWPORT (self), NULL);
  return self->crs;
}

/**
 * gis_viewport_set_crs:
 * @self: a viewport
 * @crs: the new display CRS
 * @error: return location for a #GIS_ERROR_CRS error
 *
 * Changes the display CRS keeping the same place at the centre and the
 * same ground size of a pixel there.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_viewport_set_crs (GisViewport  *self,
                      GisCrs       *crs,
                      GError      **error)
{
  double lon, lat, meters;
  double cx, cy;

  g_return_val_if_fail (GIS_IS_VIEWPORT (self), FALSE);
  g_return_val_if_fail (crs != NULL, FALSE);

  if (self->crs != NULL && gis_crs_equal (self->crs, crs))
    return TRUE;

  if (!gis_viewport_pixel_to_lonlat (self, self->state.width_px / 2.0,
                                     self->state.height_px / 2.0, &lon, &lat))
    {
      lon = -100;
      lat = 45;
    }
  meters = gis_viewport_get_meters_per_pixel (self);

  if (!apply_crs (self, crs, error))
    return FALSE;

  cx = lon;
  cy = lat;
  if (gis_transform_point (self->from_lonlat, &cx, &cy))
    {
      double unit;

      self->state.center_x = cx;
      self->state.center_y = cy;
      /* ground size of one map unit at the centre, then match it */
      self->state.resolution = 1.0;
      unit = gis_viewport_get_meters_per_pixel (self);
      if (unit > 0 && meters > 0 && isfinite (unit) && isfinite (meters))
        self->state.resolution = CLAMP (meters / unit, self->min_resolution, self->max_resolution);
    }

  changed (self);
  return TRUE;
}

void
gis_viewport_get_state (GisViewport  *self,
                        GisViewState *out_state)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));
  *out_state = self->state;
}

void
gis_viewport_set_size (GisViewport *self,
                       int          width_px,
                       int          height_px)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));

  width_px = MAX (width_px, 1);
  height_px = MAX (height_px, 1);
  if (self->state.width_px == width_px && self->state.height_px == height_px)
    return;
  self->state.width_px = width_px;
  self->state.height_px = height_px;
  changed (self);
}

int
gis_viewport_get_width (GisViewport *self)
{
  g_return_val_if_fail (GIS_IS_VIEWPORT (self), 0);
  return self->state.width_px;
}

int
gis_viewport_get_height (GisViewport *self)
{
  g_return_val_if_fail (GIS_IS_VIEWPORT (self), 0);
  return self->state.height_px;
}

void
gis_viewport_set_center (GisViewport *self,
                         double       map_x,
                         double       map_y)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));
  g_return_if_fail (isfinite (map_x) && isfinite (map_y));

  if (self->state.center_x == map_x && self->state.center_y == map_y)
    return;
  self->state.center_x = map_x;
  self->state.center_y = map_y;
  changed (self);
}

void
gis_viewport_get_center (GisViewport *self,
                         double      *map_x,
                         double      *map_y)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));
  *map_x = self->state.center_x;
  *map_y = self->state.center_y;
}

double
gis_viewport_get_resolution (GisViewport *self)
{
  g_return_val_if_fail (GIS_IS_VIEWPORT (self), 1.0);
  return self->state.resolution;
}

void
gis_viewport_set_resolution (GisViewport *self,
                             double       resolution)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));
  g_return_if_fail (resolution > 0 && isfinite (resolution));

  resolution = CLAMP (resolution, self->min_resolution, self->max_resolution);
  if (self->state.resolution == resolution)
    return;
  self->state.resolution = resolution;
  changed (self);
}

/**
 * gis_viewport_pan_pixels:
 * @self: a viewport
 * @dx_px: how far the map moves right, in pixels
 * @dy_px: how far the map moves down, in pixels
 *
 * Moves the map with a drag: what was under pixel (x, y) is afterwards
 * under pixel (x + dx, y + dy).
 */
void
gis_viewport_pan_pixels (GisViewport *self,
                         double       dx_px,
                         double       dy_px)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));

  if (dx_px == 0 && dy_px == 0)
    return;
  self->state.center_x -= dx_px * self->state.resolution;
  self->state.center_y += dy_px * self->state.resolution;
  changed (self);
}

/**
 * gis_viewport_zoom_at:
 * @self: a viewport
 * @factor: > 1 zooms in, < 1 zooms out
 * @px: x of the fixed pixel
 * @py: y of the fixed pixel
 *
 * Zooms keeping the map point under (@px, @py) there.  The resolution is
 * clamped to the CRS's useful range.
 */
void
gis_viewport_zoom_at (GisViewport *self,
                      double       factor,
                      double       px,
                      double       py)
{
  double mx, my, r;

  g_return_if_fail (GIS_IS_VIEWPORT (self));
  g_return_if_fail (factor > 0 && isfinite (factor));

  gis_view_state_pixel_to_map (&self->state, px, py, &mx, &my);
  r = CLAMP (self->state.resolution / factor, self->min_resolution, self->max_resolution);
  if (r == self->state.resolution)
    return;

  self->state.resolution = r;
  self->state.center_x = mx - (px - self->state.width_px / 2.0) * r;
  self->state.center_y = my + (py - self->state.height_px / 2.0) * r;
  changed (self);
}

/**
 * gis_viewport_fit_extent:
 * @self: a viewport
 * @map_extent: a box in the display CRS
 * @padding_px: room to leave on each side
 *
 * Centres the view on @map_extent at the finest resolution that shows
 * all of it.
 */
void
gis_viewport_fit_extent (GisViewport     *self,
                         const GisExtent *map_extent,
                         double           padding_px)
{
  double w, h, r, cx, cy;

  g_return_if_fail (GIS_IS_VIEWPORT (self));
  g_return_if_fail (map_extent != NULL);

  if (gis_extent_is_empty (map_extent))
    return;

  w = MAX (1.0, self->state.width_px - 2 * padding_px);
  h = MAX (1.0, self->state.height_px - 2 * padding_px);
  r = MAX ((map_extent->max_x - map_extent->min_x) / w,
           (map_extent->max_y - map_extent->min_y) / h);
  if (!(r > 0))
    r = self->state.resolution;

  cx = (map_extent->min_x + map_extent->max_x) / 2.0;
  cy = (map_extent->min_y + map_extent->max_y) / 2.0;
  r = CLAMP (r, self->min_resolution, self->max_resolution);
  /* "changed" means changed: a handler that fits the view again must not
   * loop */
  if (cx == self->state.center_x && cy == self->state.center_y && r == self->state.resolution)
    return;
  self->state.center_x = cx;
  self->state.center_y = cy;
  self->state.resolution = r;
  changed (self);
}

/**
 * gis_viewport_fit_lonlat:
 * @self: a viewport
 * @lonlat_extent: a box in longitude, latitude
 * @padding_px: room to leave on each side
 *
 * Returns: %FALSE if the box cannot be transformed to the display CRS
 */
gboolean
gis_viewport_fit_lonlat (GisViewport     *self,
                         const GisExtent *lonlat_extent,
                         double           padding_px)
{
  GisExtent map;

  g_return_val_if_fail (GIS_IS_VIEWPORT (self), FALSE);
  g_return_val_if_fail (lonlat_extent != NULL, FALSE);

  if (gis_extent_is_empty (lonlat_extent))
    return FALSE;

  if (lonlat_extent->min_x == lonlat_extent->max_x && lonlat_extent->min_y == lonlat_extent->max_y)
    {
      double x = lonlat_extent->min_x, y = lonlat_extent->min_y;

      if (!gis_transform_point (self->from_lonlat, &x, &y))
        return FALSE;
      gis_viewport_set_center (self, x, y);
      return TRUE;
    }

  if (!gis_transform_bounds (self->from_lonlat, lonlat_extent, &map))
    return FALSE;
  gis_viewport_fit_extent (self, &map, padding_px);
  return TRUE;
}

void
gis_viewport_map_to_pixel (GisViewport *self,
                           double       map_x,
                           double       map_y,
                           double      *px,
                           double      *py)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));
  gis_view_state_map_to_pixel (&self->state, map_x, map_y, px, py);
}

void
gis_viewport_pixel_to_map (GisViewport *self,
                           double       px,
                           double       py,
                           double      *map_x,
                           double      *map_y)
{
  g_return_if_fail (GIS_IS_VIEWPORT (self));
  gis_view_state_pixel_to_map (&self->state, px, py, map_x, map_y);
}

/**
 * gis_viewport_pixel_to_lonlat:
 *
 * Returns: %FALSE where the pixel has no place on the earth
 */
gboolean
gis_viewport_pixel_to_lonlat (GisViewport *self,
                              double       px,
                              double       py,
                              double      *lon,
                              double      *lat)
{
  double x, y;

  g_return_val_if_fail (GIS_IS_VIEWPORT (self), FALSE);

  gis_view_state_pixel_to_map (&self->state, px, py, &x, &y);
  if (self->to_lonlat == NULL || !gis_transform_point (self->to_lonlat, &x, &y))
    return FALSE;
  if (!(x >= -180.0 - 1e-9 && x <= 180.0 + 1e-9 && y >= -90.0 - 1e-9 && y <= 90.0 + 1e-9))
    return FALSE;
  *lon = x;
  *lat = y;
  return TRUE;
}

gboolean
gis_viewport_lonlat_to_pixel (GisViewport *self,
                              double       lon,
                              double       lat,
                              double      *px,
                              double      *py)
{
  double x = lon, y = lat;

  g_return_val_if_fail (GIS_IS_VIEWPORT (self), FALSE);

  if (self->from_lonlat == NULL || !gis_transform_point (self->from_lonlat, &x, &y))
    return FALSE;
  gis_view_state_map_to_pixel (&self->state, x, y, px, py);
  return TRUE;
}

static double
haversine_m (double lon1,
             double lat1,
             double lon2,
             double lat2)
{
  double p1 = lat1 * G_PI / 180, p2 = lat2 * G_PI / 180;
  double dp = p2 - p1, dl = (lon2 - lon1) * G_PI / 180;
  double a = sin (dp / 2) * sin (dp / 2) + cos (p1) * cos (p2) * sin (dl / 2) * sin (dl / 2);

  return 2 * EARTH_RADIUS_M * asin (MIN (1.0, sqrt (a)));
}

/**
 * gis_viewport_get_meters_per_pixel:
 *
 * Returns: the ground length of one pixel at the centre of the view,
 *   along the view's x axis, or 0 where that cannot be measured
 */
double
gis_viewport_get_meters_per_pixel (GisViewport *self)
{
  double cx, cy, lon1, lat1, lon2, lat2;

  g_return_val_if_fail (GIS_IS_VIEWPORT (self), 0);

  cx = self->state.width_px / 2.0;
  cy = self->state.height_px / 2.0;
  /* measure across 100 pixels for precision, then divide */
  if (!gis_viewport_pixel_to_lonlat (self, cx - 50, cy, &lon1, &lat1) ||
      !gis_viewport_pixel_to_lonlat (self, cx + 50, cy, &lon2, &lat2))
    return 0;
  return haversine_m (lon1, lat1, lon2, lat2) / 100.0;
}

/**
 * gis_viewport_get_scale:
 * @self: a viewport
 * @dpi: pixels per inch of the screen or page
 *
 * Returns: N of the map scale 1:N at the centre of the view, or 0
 */
double
gis_viewport_get_scale (GisViewport *self,
                        double       dpi)
{
  double m = gis_viewport_get_meters_per_pixel (self);

  g_return_val_if_fail (dpi > 0, 0);
  return m / (0.0254 / dpi);
}
