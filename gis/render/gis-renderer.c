/* gis-renderer.c: layers -> pixels or any cairo surface
 *
 * A render job takes a copy of the view state and refcounted, immutable
 * layers (GisLayerData, GisStyle, the per-feature classes) and draws them
 * bottom first.  It keeps no global state, so jobs run on any thread, one
 * call per thread.
 *
 * Lines and polygons are cairo paths, culled by bounding box, with
 * vertices closer than a third of a pixel merged; a feature smaller than
 * a pixel is one pixel.  Points are where a general-purpose 2D library is
 * slow: a million cairo_arc() + cairo_fill() calls take seconds.  So each
 * symbol class is drawn once with cairo into a small premultiplied ARGB
 * sprite, snapped to the pixel grid, and stamped by blending its pixels
 * straight into the image (the OVER operator with pixman's rounding, so
 * a stamp is what cairo_paint() of the sprite would give).  When a layer
 * has more visible points than a quarter of the pixels, the points are
 * first reduced to one bit per pixel and class, and each set pixel stamps
 * once: the cost is bounded by the image, not the layer.  Stamping is
 * split between two threads by horizontal bands.  Heat maps bin the
 * points into pixels, then add a quartic kernel around each non-empty
 * bin.  Vector output (PDF, SVG) draws the same symbols as paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-renderer"

#include "config.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "gis-renderer.h"

/* Points between cancellation checks. */
#define POINT_CHUNK 65536
/* Shapes between cancellation checks. */
#define SHAPE_CHUNK 256
/* Below this many stamps one thread does it all. */
#define PARALLEL_MIN_STAMPS 20000
/* Paths reaching further than this outside the image (device pixels)
 * are clipped first: cairo's fixed-point paths overflow past ±2^23. */
#define SAFE_COORD 1.0e5
#define CLIP_MARGIN 64.0
/* Labels: candidates tried per layer, labels placed per render. */
#define MAX_LABEL_CANDIDATES 20000
#define MAX_LABELS 3000
/* Ring of the selection highlight beyond a symbol, in pixels. */
#define SELECTION_HALO_PX 3.0

struct _GisRenderLayer
{
  gint            ref_count;

  GisLayerData   *data;
  GisStyle       *style;
  GBytes         *classes;      /* guint16 per feature */
  double          opacity;
  gint64          time_min;
  gint64          time_max;
  gint64         *selection;    /* sorted, unique */
  gsize           n_selection;
  gboolean        show_labels;
  GisPointMode    point_mode;
};

G_DEFINE_BOXED_TYPE (GisRenderLayer, gis_render_layer, gis_render_layer_ref, gis_render_layer_unref)

#define RETURN_IF_SHARED(layer) \
  g_return_if_fail (g_atomic_int_get (&(layer)->ref_count) == 1)

/* ---- the render layer ---------------------------------------------------- */

/**
 * gis_render_layer_new:
 * @data: the layer's features
 * @style: how to draw them; it must not change afterwards
 * @error: return location for gis_style_classify()'s errors
 *
 * Classifies the features with gis_style_classify() (a few milliseconds
 * for a million features).  Opacity 1, no time filter, no selection,
 * labels shown when the style has some.
 *
 * Returns: (transfer full) (nullable): a render layer; its setters work
 *   while the caller holds the only reference
 */
GisRenderLayer *
gis_render_layer_new (GisLayerData  *data,
                      GisStyle      *style,
                      GError       **error)
{
  GisRenderLayer *self;
  guint16 *classes;
  guint n;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (style != NULL, NULL);

  classes = gis_style_classify (style, data, error);
  if (classes == NULL)
    return NULL;
  n = gis_layer_data_get_n_features (data);

  self = g_new0 (GisRenderLayer, 1);
  self->ref_count = 1;
  self->data = gis_layer_data_ref (data);
  self->style = gis_style_ref (style);
  self->classes = g_bytes_new_take (classes, sizeof (guint16) * MAX (n, 1));
  self->opacity = 1.0;
  self->time_min = G_MININT64;
  self->time_max = G_MAXINT64;
  self->show_labels = TRUE;
  self->point_mode = GIS_POINT_MODE_AUTO;
  return self;
}

/**
 * gis_render_layer_copy:
 * @layer: a render layer
 *
 * A copy sharing the data, style and classes (no reclassification) with
 * its own opacity, time range, selection and labels, for the next render
 * job.
 *
 * Returns: (transfer full): the copy
 */
GisRenderLayer *
gis_render_layer_copy (GisRenderLayer *layer)
{
  GisRenderLayer *self;

  g_return_val_if_fail (layer != NULL, NULL);

  self = g_new0 (GisRenderLayer, 1);
  self->ref_count = 1;
  self->data = gis_layer_data_ref (layer->data);
  self->style = gis_style_ref (layer->style);
  self->classes = g_bytes_ref (layer->classes);
  self->opacity = layer->opacity;
  self->time_min = layer->time_min;
  self->time_max = layer->time_max;
  if (layer->n_selection > 0)
    self->selection = g_memdup2 (layer->selection, sizeof (gint64) * layer->n_selection);
  self->n_selection = layer->n_selection;
  self->show_labels = layer->show_labels;
  self->point_mode = layer->point_mode;
  return self;
}

/**
 * gis_render_layer_ref:
 *
 * Returns: (transfer full): @layer; once it has two references its
 *   setters refuse to run
 */
GisRenderLayer *
gis_render_layer_ref (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, NULL);
  g_atomic_int_inc (&layer->ref_count);
  return layer;
}

void
gis_render_layer_unref (GisRenderLayer *layer)
{
  g_return_if_fail (layer != NULL);

  if (!g_atomic_int_dec_and_test (&layer->ref_count))
    return;
  gis_layer_data_unref (layer->data);
  gis_style_unref (layer->style);
  g_bytes_unref (layer->classes);
  g_free (layer->selection);
  g_free (layer);
}

/**
 * gis_render_layer_get_data:
 *
 * Returns: (transfer none): the features
 */
GisLayerData *
gis_render_layer_get_data (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, NULL);
  return layer->data;
}

/**
 * gis_render_layer_get_style:
 *
 * Returns: (transfer none): the style
 */
GisStyle *
gis_render_layer_get_style (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, NULL);
  return layer->style;
}

/**
 * gis_render_layer_get_classes:
 *
 * Returns: (transfer none) (array): the class of every feature
 *   (gis_style_classify())
 */
const guint16 *
gis_render_layer_get_classes (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, NULL);
  return g_bytes_get_data (layer->classes, NULL);
}

double
gis_render_layer_get_opacity (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, 1.0);
  return layer->opacity;
}

/**
 * gis_render_layer_set_opacity:
 * @layer: a render layer the caller alone holds
 * @opacity: 0 to 1; the layer is drawn as a group at this opacity
 */
void
gis_render_layer_set_opacity (GisRenderLayer *layer,
                              double          opacity)
{
  g_return_if_fail (layer != NULL);
  RETURN_IF_SHARED (layer);
  layer->opacity = CLAMP (opacity, 0.0, 1.0);
}

void
gis_render_layer_get_time_range (GisRenderLayer *layer,
                                 gint64         *out_min_s,
                                 gint64         *out_max_s)
{
  g_return_if_fail (layer != NULL);
  *out_min_s = layer->time_min;
  *out_max_s = layer->time_max;
}

/**
 * gis_render_layer_set_time_range:
 * @layer: a render layer the caller alone holds
 * @min_s: first second shown (Unix time), %G_MININT64 for no lower bound
 * @max_s: last second shown, %G_MAXINT64 for no upper bound
 *
 * With a bound set, only features whose occurred_at lies in
 * [@min_s, @max_s] are drawn (not those without a time).  Layers without
 * an occurred_at column ignore the range.
 */
void
gis_render_layer_set_time_range (GisRenderLayer *layer,
                                 gint64          min_s,
                                 gint64          max_s)
{
  g_return_if_fail (layer != NULL);
  RETURN_IF_SHARED (layer);
  layer->time_min = min_s;
  layer->time_max = max_s;
}

/**
 * gis_render_layer_get_selection:
 * @layer: a render layer
 * @out_n_fids: (out): the number of selected features
 *
 * Returns: (transfer none) (array length=out_n_fids) (nullable): the
 *   selected feature ids, ascending
 */
const gint64 *
gis_render_layer_get_selection (GisRenderLayer *layer,
                                gsize          *out_n_fids)
{
  g_return_val_if_fail (layer != NULL, NULL);
  *out_n_fids = layer->n_selection;
  return layer->selection;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/**
 * gis_render_layer_set_selection:
 * @layer: a render layer the caller alone holds
 * @fids: (array length=n_fids) (nullable): selected feature ids, in any
 *   order
 * @n_fids: their number
 *
 * Selected features are drawn again on top of all layers with a
 * %GIS_STYLE_SELECTION_COLOR highlight.
 */
void
gis_render_layer_set_selection (GisRenderLayer *layer,
                                const gint64   *fids,
                                gsize           n_fids)
{
  gsize n = 0;

  g_return_if_fail (layer != NULL);
  g_return_if_fail (fids != NULL || n_fids == 0);
  RETURN_IF_SHARED (layer);

  g_clear_pointer (&layer->selection, g_free);
  layer->n_selection = 0;
  if (n_fids == 0)
    return;

  layer->selection = g_memdup2 (fids, sizeof (gint64) * n_fids);
  qsort (layer->selection, n_fids, sizeof (gint64), compare_gint64);
  for (gsize i = 0; i < n_fids; i++)
    if (n == 0 || layer->selection[n - 1] != layer->selection[i])
      layer->selection[n++] = layer->selection[i];
  layer->n_selection = n;
}

gboolean
gis_render_layer_get_show_labels (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, FALSE);
  return layer->show_labels;
}

/**
 * gis_render_layer_set_show_labels:
 * @layer: a render layer the caller alone holds
 * @show_labels: draw the style's labels (if it has some)
 */
void
gis_render_layer_set_show_labels (GisRenderLayer *layer,
                                  gboolean        show_labels)
{
  g_return_if_fail (layer != NULL);
  RETURN_IF_SHARED (layer);
  layer->show_labels = !!show_labels;
}

GisPointMode
gis_render_layer_get_point_mode (GisRenderLayer *layer)
{
  g_return_val_if_fail (layer != NULL, GIS_POINT_MODE_AUTO);
  return layer->point_mode;
}

void
gis_render_layer_set_point_mode (GisRenderLayer *layer,
                                 GisPointMode    mode)
{
  g_return_if_fail (layer != NULL);
  RETURN_IF_SHARED (layer);
  layer->point_mode = mode;
}

static inline gboolean
time_filter_active (GisRenderLayer *layer)
{
  return gis_layer_data_get_times (layer->data) != NULL &&
         (layer->time_min != G_MININT64 || layer->time_max != G_MAXINT64);
}

/**
 * gis_render_layer_is_visible:
 * @layer: a render layer
 * @index: a feature index of its data
 *
 * Returns: %TRUE if the feature is drawn: it has a geometry, a class and
 *   a time in the layer's range.  Click-select should skip the others.
 */
gboolean
gis_render_layer_is_visible (GisRenderLayer *layer,
                             guint           index)
{
  const guint16 *classes;
  const gint64 *times;

  g_return_val_if_fail (layer != NULL, FALSE);
  g_return_val_if_fail (index < gis_layer_data_get_n_features (layer->data), FALSE);

  classes = g_bytes_get_data (layer->classes, NULL);
  if (classes[index] == GIS_STYLE_CLASS_NONE ||
      gis_layer_data_get_feature_kind (layer->data, index) == GIS_FEATURE_NONE)
    return FALSE;
  times = gis_layer_data_get_times (layer->data);
  if (time_filter_active (layer))
    return times[index] != GIS_LAYER_DATA_NO_TIME &&
           times[index] >= layer->time_min && times[index] <= layer->time_max;
  return TRUE;
}

/* ---- render context ------------------------------------------------------ */

typedef struct
{
  GisViewState     view;
  double           scale;        /* device pixels per view pixel */
  int              width;        /* device pixels */
  int              height;
  gboolean         vector;
  GCancellable    *cancellable;
  cairo_t         *cr;           /* user space: view pixels */
  cairo_surface_t *target;       /* cr's image surface for direct stamping, or NULL */
} Ctx;

/* Map coordinates to device pixels: gis_view_state_map_to_pixel() times
 * the scale, with the same operations so that the results agree to the
 * last bit at scale 1. */
static inline double
dev_x (const Ctx *ctx,
       double     x)
{
  return ((x - ctx->view.center_x) / ctx->view.resolution + ctx->view.width_px / 2.0) * ctx->scale;
}

static inline double
dev_y (const Ctx *ctx,
       double     y)
{
  return ((ctx->view.center_y - y) / ctx->view.resolution + ctx->view.height_px / 2.0) * ctx->scale;
}

static inline gboolean
cancelled (const Ctx *ctx)
{
  return ctx->cancellable != NULL && g_cancellable_is_cancelled (ctx->cancellable);
}

/* The view's box in map units, grown by @margin_px view pixels. */
static void
query_box (const Ctx *ctx,
           double     margin_px,
           GisExtent *box)
{
  double m = margin_px * ctx->view.resolution;

  gis_view_state_get_extent (&ctx->view, box);
  box->min_x -= m;
  box->min_y -= m;
  box->max_x += m;
  box->max_y += m;
}

static void
set_source_color (cairo_t        *cr,
                  const GisColor *c)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a);
}

static void
set_dash (cairo_t *cr,
          GisDash  dash,
          double   width)
{
  double w = MAX (width, 1.0);
  double d[4];

  switch (dash)
    {
    case GIS_DASH_DASHED:
      d[0] = 4 * w;
      d[1] = 2 * w;
      cairo_set_dash (cr, d, 2, 0);
      break;

    case GIS_DASH_DOTTED:
      d[0] = w;
      d[1] = 2 * w;
      cairo_set_dash (cr, d, 2, 0);
      break;

    case GIS_DASH_DASH_DOT:
      d[0] = 4 * w;
      d[1] = 2 * w;
      d[2] = w;
      d[3] = 2 * w;
      cairo_set_dash (cr, d, 4, 0);
      break;

    case GIS_DASH_SOLID:
    default:
      cairo_set_dash (cr, NULL, 0, 0);
      break;
    }
}

/* ---- markers and sprites ------------------------------------------------- */

/* The shape of radius @r centred on the origin: inside the square of
 * side 2r, so within r√2 of the centre. */
static void
marker_path (cairo_t        *cr,
             GisMarkerShape  shape,
             double          r)
{
  switch (shape)
    {
    case GIS_MARKER_SQUARE:
      cairo_rectangle (cr, -r, -r, 2 * r, 2 * r);
      break;

    case GIS_MARKER_TRIANGLE:
      cairo_move_to (cr, 0, -r);
      cairo_line_to (cr, r, r);
      cairo_line_to (cr, -r, r);
      cairo_close_path (cr);
      break;

    case GIS_MARKER_DIAMOND:
      cairo_move_to (cr, 0, -r);
      cairo_line_to (cr, r, 0);
      cairo_line_to (cr, 0, r);
      cairo_line_to (cr, -r, 0);
      cairo_close_path (cr);
      break;

    case GIS_MARKER_CROSS:
      {
        double w = r / 3;
        static const double pts[12][2] = {
          { -1, -3 }, { 1, -3 }, { 1, -1 }, { 3, -1 }, { 3, 1 }, { 1, 1 },
          { 1, 3 }, { -1, 3 }, { -1, 1 }, { -3, 1 }, { -3, -1 }, { -1, -1 },
        };

        cairo_move_to (cr, pts[0][0] * w, pts[0][1] * w);
        for (guint i = 1; i < 12; i++)
          cairo_line_to (cr, pts[i][0] * w, pts[i][1] * w);
        cairo_close_path (cr);
      }
      break;

    case GIS_MARKER_STAR:
      for (guint i = 0; i < 10; i++)
        {
          double a = -G_PI / 2 + i * G_PI / 5;
          double rr = (i % 2 == 0) ? r : r * 0.4;

          if (i == 0)
            cairo_move_to (cr, rr * cos (a), rr * sin (a));
          else
            cairo_line_to (cr, rr * cos (a), rr * sin (a));
        }
      cairo_close_path (cr);
      break;

    case GIS_MARKER_CIRCLE:
    default:
      cairo_new_sub_path (cr);
      cairo_arc (cr, 0, 0, r, 0, 2 * G_PI);
      break;
    }
}

static inline gboolean
has_stroke (const GisSymbol *s)
{
  return s->stroke_width_px > 0 && s->stroke.a > 0;
}

/* Draws a marker centred on the user-space origin; sizes in user units. */
static void
draw_marker (cairo_t         *cr,
             const GisSymbol *s,
             double           unit,
             gboolean         selected)
{
  double r = s->size_px * unit / 2;
  double sw = has_stroke (s) ? s->stroke_width_px * unit : 0;

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_dash (cr, NULL, 0, 0);
  if (selected)
    {
      GisColor yellow;

      /* a ring around the symbol, not under it: translucent symbols keep
       * their colour */
      gis_color_parse (GIS_STYLE_SELECTION_COLOR, &yellow);
      cairo_push_group (cr);
      marker_path (cr, s->shape, r);
      set_source_color (cr, &yellow);
      cairo_set_line_width (cr, sw + 2 * SELECTION_HALO_PX * unit);
      cairo_stroke_preserve (cr);
      cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
      cairo_fill (cr);
      cairo_pop_group_to_source (cr);
      cairo_paint (cr);
    }
  marker_path (cr, s->shape, r);
  if (s->fill.a > 0)
    {
      set_source_color (cr, &s->fill);
      cairo_fill_preserve (cr);
    }
  if (sw > 0)
    {
      set_source_color (cr, &s->stroke);
      cairo_set_line_width (cr, sw);
      cairo_stroke (cr);
    }
  cairo_new_path (cr);
}

/* A symbol pre-rendered at the device scale, centred on its middle pixel. */
typedef struct
{
  int       size;     /* odd */
  int       half;     /* (size - 1) / 2 */
  guint32  *pixels;   /* size × size, premultiplied ARGB (cairo's native order) */
  int      *span;     /* per row: first and past-last non-transparent column */
} Sprite;

static void
sprite_free (Sprite *sp)
{
  if (sp == NULL)
    return;
  g_free (sp->pixels);
  g_free (sp->span);
  g_free (sp);
}

static double
marker_extent (const GisSymbol *s,
               double           scale,
               gboolean         selected)
{
  double r = s->size_px * scale / 2;
  double sw = has_stroke (s) ? s->stroke_width_px * scale : 0;

  return r * G_SQRT2 + sw / 2 + (selected ? SELECTION_HALO_PX * scale : 0) + 1;
}

static Sprite *
sprite_new (const GisSymbol *s,
            double           scale,
            gboolean         selected)
{
  Sprite *sp = g_new0 (Sprite, 1);
  cairo_surface_t *surface;
  cairo_t *cr;
  const guint8 *data;
  int stride;

  sp->half = (int) ceil (marker_extent (s, scale, selected));
  sp->size = 2 * sp->half + 1;
  sp->pixels = g_new (guint32, (gsize) sp->size * sp->size);
  sp->span = g_new (int, 2 * (gsize) sp->size);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, sp->size, sp->size);
  cr = cairo_create (surface);
  /* the centre of the middle pixel */
  cairo_translate (cr, sp->half + 0.5, sp->half + 0.5);
  draw_marker (cr, s, scale, selected);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < sp->size; y++)
    {
      guint32 *row = sp->pixels + (gsize) y * sp->size;
      int x0 = sp->size, x1 = 0;

      memcpy (row, data + (gsize) y * stride, sizeof (guint32) * sp->size);
      for (int x = 0; x < sp->size; x++)
        if (row[x] != 0)
          {
            x0 = MIN (x0, x);
            x1 = x + 1;
          }
      sp->span[2 * y] = x0 < x1 ? x0 : 0;
      sp->span[2 * y + 1] = x0 < x1 ? x1 : 0;
    }
  cairo_surface_destroy (surface);
  return sp;
}

/* Porter-Duff OVER on premultiplied ARGB32, rounding as pixman does
 * (x · a / 255 as (t + (t >> 8)) >> 8 with t = x · a + 128). */
static inline guint32
over (guint32 s,
      guint32 d)
{
  guint32 ia = 255 - (s >> 24);
  guint32 rb = (d & 0x00ff00ff) * ia + 0x00800080;
  guint32 ag = ((d >> 8) & 0x00ff00ff) * ia + 0x00800080;

  rb = ((rb + ((rb >> 8) & 0x00ff00ff)) >> 8) & 0x00ff00ff;
  ag = (ag + ((ag >> 8) & 0x00ff00ff)) & 0xff00ff00;
  return s + (rb | ag);
}

/* The image stamped into: device pixels, clipped to rows [y0, y1). */
typedef struct
{
  guint32 *pixels;
  int      stride;     /* in pixels */
  int      width;
  int      height;
} Canvas;

static inline void
stamp (const Canvas *cv,
       const Sprite *sp,
       int           cx,
       int           cy,
       int           y0,
       int           y1)
{
  int top = cy - sp->half;
  int left = cx - sp->half;
  int r0 = MAX (0, y0 - top);
  int r1 = MIN (sp->size, y1 - top);

  for (int r = r0; r < r1; r++)
    {
      int x0 = MAX (sp->span[2 * r], -left);
      int x1 = MIN (sp->span[2 * r + 1], cv->width - left);
      const guint32 *s = sp->pixels + (gsize) r * sp->size;
      guint32 *d = cv->pixels + (gsize) (top + r) * cv->stride + left;

      for (int x = x0; x < x1; x++)
        {
          guint32 v = s[x];

          if (v >= 0xff000000u)
            d[x] = v;
          else if (v != 0)
            d[x] = over (v, d[x]);
        }
    }
}

/* ---- points -------------------------------------------------------------- */

typedef struct
{
  gint32  x;          /* device pixel of the point */
  gint32  y;
  guint32 cls;
} PointHit;

/* Collects the drawn points near the view: their pixel and class. */
static gboolean
collect_points (const Ctx      *ctx,
                GisRenderLayer *layer,
                double          margin_px,
                GArray         *hits,
                guint          *out_inside)
{
  GisLayerData *data = layer->data;
  const guint16 *classes = g_bytes_get_data (layer->classes, NULL);
  const gint64 *times = gis_layer_data_get_times (data);
  const double *xs = gis_layer_data_get_x (data);
  const double *ys = gis_layer_data_get_y (data);
  gboolean filter = time_filter_active (layer);
  gboolean single = gis_layer_data_is_point_layer (data);
  double limit_x0 = -margin_px * ctx->scale - 1, limit_y0 = limit_x0;
  double limit_x1 = ctx->width + margin_px * ctx->scale + 1;
  double limit_y1 = ctx->height + margin_px * ctx->scale + 1;
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint32));
  GisExtent box;
  guint inside = 0;

  query_box (ctx, margin_px, &box);
  gis_layer_data_query_box (data, &box, indices);
  g_array_set_size (hits, 0);
  if (indices->len == 0)
    {
      *out_inside = 0;
      return TRUE;
    }

  for (guint k = 0; k < indices->len; k++)
    {
      guint32 i = g_array_index (indices, guint32, k);
      guint cls = classes[i];
      guint first, count;

      if ((k & (POINT_CHUNK - 1)) == POINT_CHUNK - 1 && cancelled (ctx))
        return FALSE;
      if (cls == GIS_STYLE_CLASS_NONE)
        continue;
      if (filter && (times[i] == GIS_LAYER_DATA_NO_TIME || times[i] < layer->time_min ||
                     times[i] > layer->time_max))
        continue;

      if (single)
        {
          first = i;
          count = 1;
        }
      else
        {
          guint p0, np, c0, nc;

          if (gis_layer_data_get_feature_kind (data, i) != GIS_FEATURE_POINT)
            continue;
          gis_layer_data_get_parts (data, i, &p0, &np);
          if (np == 0)
            continue;
          gis_layer_data_get_part (data, p0, &c0, &nc);
          first = c0;
          gis_layer_data_get_part (data, p0 + np - 1, &c0, &nc);
          count = c0 + nc - first;
        }

      for (guint c = first; c < first + count; c++)
        {
          double px = dev_x (ctx, xs[c]);
          double py = dev_y (ctx, ys[c]);
          PointHit h;

          if (!(px >= limit_x0 && px < limit_x1 && py >= limit_y0 && py < limit_y1))
            continue;
          h.x = (gint32) floor (px);
          h.y = (gint32) floor (py);
          h.cls = cls;
          if (h.x >= 0 && h.x < ctx->width && h.y >= 0 && h.y < ctx->height)
            inside++;
          g_array_append_val (hits, h);
        }
    }

  *out_inside = inside;
  return TRUE;
}

/* Per-pixel aggregate: one bit per device pixel and class, over the image
 * grown by the margin where symbols still reach into it. */
typedef struct
{
  int       margin;
  int       width;           /* bits per row */
  int       height;
  gsize     words_per_row;
  guint     n_classes;
  guint64  *bits;            /* n_classes planes */
} Bitmap;

static inline gsize
bitmap_plane_words (const Bitmap *bm)
{
  return bm->words_per_row * bm->height;
}

typedef struct
{
  const Canvas   *canvas;
  Sprite *const  *sprites;
  const PointHit *hits;
  guint           n_hits;
  const Bitmap   *bitmap;      /* non-NULL: stamp the set bits instead of the hits */
  int             y0;
  int             y1;
  GCancellable   *cancellable;
} StampJob;

static void
run_stamp_job (StampJob *job)
{
  const Canvas *cv = job->canvas;

  if (job->bitmap == NULL)
    {
      for (guint k = 0; k < job->n_hits; k++)
        {
          const PointHit *h = &job->hits[k];
          const Sprite *sp = job->sprites[h->cls];

          if ((k & (POINT_CHUNK - 1)) == POINT_CHUNK - 1 &&
              job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable))
            return;
          if (h->y + sp->half < job->y0 || h->y - sp->half >= job->y1 ||
              h->x + sp->half < 0 || h->x - sp->half >= cv->width)
            continue;
          stamp (cv, sp, h->x, h->y, job->y0, job->y1);
        }
      return;
    }

  for (guint c = 0; c < job->bitmap->n_classes; c++)
    {
      const Bitmap *bm = job->bitmap;
      const Sprite *sp = job->sprites[c];
      const guint64 *plane;
      int by0, by1;

      if (sp == NULL)
        continue;
      plane = bm->bits + c * bitmap_plane_words (bm);
      /* bitmap rows whose sprites reach the band */
      by0 = MAX (0, job->y0 - sp->half + bm->margin);
      by1 = MIN (bm->height, job->y1 + sp->half + bm->margin);
      for (int by = by0; by < by1; by++)
        {
          const guint64 *row = plane + (gsize) by * bm->words_per_row;

          if ((by & 63) == 0 && job->cancellable != NULL &&
              g_cancellable_is_cancelled (job->cancellable))
            return;
          for (gsize w = 0; w < bm->words_per_row; w++)
            {
              guint64 word = row[w];

              while (word != 0)
                {
                  int bit = __builtin_ctzll (word);
                  int bx = (int) (w * 64) + bit;

                  word &= word - 1;
                  stamp (cv, sp, bx - bm->margin, by - bm->margin, job->y0, job->y1);
                }
            }
        }
    }
}

static gpointer
stamp_thread (gpointer p)
{
  run_stamp_job (p);
  return NULL;
}

static int max_render_threads;   /* 0: as many as processors */

/**
 * gis_render_set_max_threads:
 * @n: how many threads one render may use; 0 for as many as there are
 *   processors
 *
 * An interactive application keeps a processor for its user interface
 * (the main thread) by asking for one fewer than there are.
 */
void
gis_render_set_max_threads (int n)
{
  g_atomic_int_set (&max_render_threads, MAX (n, 0));
}

static int
render_threads (void)
{
  int max = g_atomic_int_get (&max_render_threads);
  int cpus = (int) g_get_num_processors ();

  return max > 0 ? MIN (max, cpus) : cpus;
}

/* Runs @job over the whole canvas, on two threads when it is worth it. */
static void
run_stamp_parallel (StampJob *job,
                    guint     work)
{
  StampJob second;
  GThread *thread = NULL;
  int mid;

  job->y0 = 0;
  job->y1 = job->canvas->height;
  if (work < PARALLEL_MIN_STAMPS || job->canvas->height < 64 || render_threads () < 2)
    {
      run_stamp_job (job);
      return;
    }

  mid = job->canvas->height / 2;
  second = *job;
  second.y0 = mid;
  job->y1 = mid;
  thread = g_thread_try_new ("gis-render", stamp_thread, &second, NULL);
  run_stamp_job (job);
  if (thread != NULL)
    g_thread_join (thread);
  else
    run_stamp_job (&second);
}

static void
free_sprites (Sprite **sprites,
              guint    n)
{
  for (guint i = 0; i < n; i++)
    sprite_free (sprites[i]);
  g_free (sprites);
}

/* Marks the points in per-class bitmaps. */
static void
fill_bitmap (Bitmap         *bm,
             const PointHit *hits,
             guint           n_hits)
{
  gsize plane = bitmap_plane_words (bm);

  for (guint k = 0; k < n_hits; k++)
    {
      int bx = hits[k].x + bm->margin, by = hits[k].y + bm->margin;

      if (bx < 0 || by < 0 || bx >= bm->width || by >= bm->height)
        continue;
      bm->bits[hits[k].cls * plane + (gsize) by * bm->words_per_row + (bx >> 6)] |=
        (guint64) 1 << (bx & 63);
    }
}

static gboolean
use_aggregate (const Ctx      *ctx,
               GisRenderLayer *layer,
               guint           inside)
{
  switch (layer->point_mode)
    {
    case GIS_POINT_MODE_SYMBOLS:
      return FALSE;
    case GIS_POINT_MODE_AGGREGATE:
      return TRUE;
    case GIS_POINT_MODE_AUTO:
    default:
      return inside > (guint64) ctx->width * ctx->height / 4;
    }
}

/* The point features of a layer, stamped into @cv. */
static gboolean
stamp_points (const Ctx      *ctx,
              GisRenderLayer *layer,
              const Canvas   *cv)
{
  guint n_symbols = gis_style_get_n_symbols (layer->style);
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (PointHit));
  Sprite **sprites = g_new0 (Sprite *, n_symbols);
  double margin_px = 0;
  guint inside = 0;
  StampJob job = { 0 };
  gboolean ok = TRUE;

  for (guint c = 0; c < n_symbols; c++)
    {
      GisSymbol s;

      gis_style_get_class_symbol (layer->style, c, &s);
      sprites[c] = sprite_new (&s, ctx->scale, FALSE);
      margin_px = MAX (margin_px, (sprites[c]->half + 1) / ctx->scale);
    }

  if (!collect_points (ctx, layer, margin_px, hits, &inside))
    {
      free_sprites (sprites, n_symbols);
      return FALSE;
    }

  job.canvas = cv;
  job.sprites = sprites;
  job.cancellable = ctx->cancellable;

  if (use_aggregate (ctx, layer, inside))
    {
      Bitmap bm = { 0 };

      bm.margin = (int) ceil (margin_px * ctx->scale) + 1;
      bm.width = ctx->width + 2 * bm.margin;
      bm.height = ctx->height + 2 * bm.margin;
      bm.words_per_row = ((gsize) bm.width + 63) / 64;
      bm.n_classes = n_symbols;
      bm.bits = g_new0 (guint64, bitmap_plane_words (&bm) * n_symbols);
      fill_bitmap (&bm, (const PointHit *) (void *) hits->data, hits->len);
      job.bitmap = &bm;
      run_stamp_parallel (&job, MIN (hits->len, (guint) (bm.width * bm.height)));
      g_free (bm.bits);
    }
  else
    {
      job.hits = (const PointHit *) (void *) hits->data;
      job.n_hits = hits->len;
      run_stamp_parallel (&job, hits->len);
    }

  if (cancelled (ctx))
    ok = FALSE;
  free_sprites (sprites, n_symbols);
  return ok;
}

/* Vector output: every point (or every pixel of the aggregate) as a path. */
static gboolean
draw_points_vector (const Ctx      *ctx,
                    cairo_t        *cr,
                    GisRenderLayer *layer)
{
  guint n_symbols = gis_style_get_n_symbols (layer->style);
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (PointHit));
  g_autofree GisSymbol *symbols = g_new (GisSymbol, n_symbols);
  g_autofree guint64 *seen = NULL;
  double margin_px = 0;
  guint inside = 0;
  gboolean aggregate;

  for (guint c = 0; c < n_symbols; c++)
    {
      gis_style_get_class_symbol (layer->style, c, &symbols[c]);
      margin_px = MAX (margin_px, marker_extent (&symbols[c], 1.0, FALSE) + 1);
    }
  if (!collect_points (ctx, layer, margin_px, hits, &inside))
    return FALSE;

  aggregate = use_aggregate (ctx, layer, inside);
  if (aggregate)
    {
      gsize per_class = (gsize) (ctx->width + 2) * (ctx->height + 2);

      seen = g_new0 (guint64, (per_class * n_symbols + 63) / 64);
    }

  for (guint k = 0; k < hits->len; k++)
    {
      const PointHit *h = &g_array_index (hits, PointHit, k);

      if ((k & 4095) == 4095 && cancelled (ctx))
        return FALSE;
      if (aggregate)
        {
          gsize bit;

          if (h->x >= -1 && h->y >= -1 && h->x <= ctx->width && h->y <= ctx->height)
            {
              bit = h->cls * (gsize) (ctx->width + 2) * (ctx->height + 2) +
                    (gsize) (h->y + 1) * (ctx->width + 2) + (gsize) (h->x + 1);
              if (seen[bit >> 6] & ((guint64) 1 << (bit & 63)))
                continue;
              seen[bit >> 6] |= (guint64) 1 << (bit & 63);
            }
        }
      cairo_save (cr);
      cairo_translate (cr, (h->x + 0.5) / ctx->scale, (h->y + 0.5) / ctx->scale);
      draw_marker (cr, &symbols[h->cls], 1.0, FALSE);
      cairo_restore (cr);
    }
  return TRUE;
}

/* ---- heat map ------------------------------------------------------------ */

typedef struct
{
  const float  *bins;        /* padded grid of weights */
  int           gw;
  int           gh;
  int           ri;          /* kernel radius, whole pixels; grid padding */
  const float  *kernel;      /* (2 ri + 1)² */
  float        *density;     /* width × height */
  int           width;
  int           height;
  int           y0;
  int           y1;
} HeatJob;

static void
run_heat_job (HeatJob *job)
{
  int k = 2 * job->ri + 1;

  /* a bin at grid row gy is image row gy - ri and reaches rows ± ri */
  for (int gy = MAX (0, job->y0); gy < MIN (job->gh, job->y1 + 2 * job->ri + 1); gy++)
    {
      const float *brow = job->bins + (gsize) gy * job->gw;

      for (int gx = 0; gx < job->gw; gx++)
        {
          float w = brow[gx];
          int cy = gy - job->ri, cx = gx - job->ri;
          int ky0, ky1, kx0, kx1;

          if (w == 0)
            continue;
          ky0 = MAX (-job->ri, job->y0 - cy);
          ky1 = MIN (job->ri, job->y1 - 1 - cy);
          kx0 = MAX (-job->ri, -cx);
          kx1 = MIN (job->ri, job->width - 1 - cx);
          for (int dy = ky0; dy <= ky1; dy++)
            {
              const float *krow = job->kernel + (gsize) (dy + job->ri) * k + job->ri;
              float *drow = job->density + (gsize) (cy + dy) * job->width + cx;

              for (int dx = kx0; dx <= kx1; dx++)
                drow[dx] += w * krow[dx];
            }
        }
    }
}

static gpointer
heat_thread (gpointer p)
{
  run_heat_job (p);
  return NULL;
}

static gboolean
stamp_heatmap (const Ctx      *ctx,
               GisRenderLayer *layer,
               const Canvas   *cv)
{
  GisLayerData *data = layer->data;
  const guint16 *classes = g_bytes_get_data (layer->classes, NULL);
  const gint64 *times = gis_layer_data_get_times (data);
  const double *xs = gis_layer_data_get_x (data);
  const double *ys = gis_layer_data_get_y (data);
  const double *weights = NULL;
  gboolean filter = time_filter_active (layer);
  double radius = gis_style_get_radius_px (layer->style) * ctx->scale;
  int ri = (int) ceil (radius);
  int gw = ctx->width + 2 * ri, gh = ctx->height + 2 * ri;
  int k = 2 * ri + 1;
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree float *bins = NULL;
  g_autofree float *kernel = NULL;
  g_autofree float *density = NULL;
  guint32 lut[256];
  GisExtent box;
  float max = 0;
  guint n_bins = 0;

  {
    int col = gis_layer_data_find_column (data, gis_style_get_weight_field (layer->style));

    if (col >= 0 && gis_layer_data_get_column_kind (data, (guint) col) == GIS_COLUMN_NUMERIC)
      weights = gis_layer_data_get_numbers (data, (guint) col);
  }

  query_box (ctx, ri / ctx->scale + 1, &box);
  gis_layer_data_query_box (data, &box, indices);
  if (indices->len == 0)
    return TRUE;

  bins = g_new0 (float, (gsize) gw * gh);
  for (guint n = 0; n < indices->len; n++)
    {
      guint32 i = g_array_index (indices, guint32, n);
      guint first, count;
      double w = 1.0;

      if ((n & (POINT_CHUNK - 1)) == POINT_CHUNK - 1 && cancelled (ctx))
        return FALSE;
      if (classes[i] == GIS_STYLE_CLASS_NONE)
        continue;
      if (filter && (times[i] == GIS_LAYER_DATA_NO_TIME || times[i] < layer->time_min ||
                     times[i] > layer->time_max))
        continue;
      if (weights != NULL)
        {
          w = weights[i];
          if (!(w > 0) || !isfinite (w))
            continue;
        }
      if (gis_layer_data_is_point_layer (data))
        {
          first = i;
          count = 1;
        }
      else
        {
          guint p0, np, c0, nc;

          /* a line or polygon counts at the centre of its box */
          GisExtent e;

          if (gis_layer_data_get_feature_kind (data, i) != GIS_FEATURE_POINT)
            {
              double bx, by;
              int gx, gy;

              gis_layer_data_get_feature_extent (data, i, &e);
              bx = dev_x (ctx, (e.min_x + e.max_x) / 2);
              by = dev_y (ctx, (e.min_y + e.max_y) / 2);
              gx = (int) floor (bx) + ri;
              gy = (int) floor (by) + ri;
              if (bx > -ri - 1 && by > -ri - 1 && gx >= 0 && gy >= 0 && gx < gw && gy < gh)
                bins[(gsize) gy * gw + gx] += (float) w;
              continue;
            }
          gis_layer_data_get_parts (data, i, &p0, &np);
          if (np == 0)
            continue;
          gis_layer_data_get_part (data, p0, &c0, &nc);
          first = c0;
          gis_layer_data_get_part (data, p0 + np - 1, &c0, &nc);
          count = c0 + nc - first;
        }
      for (guint c = first; c < first + count; c++)
        {
          double px = dev_x (ctx, xs[c]), py = dev_y (ctx, ys[c]);
          int gx, gy;

          if (!(px > -ri - 1 && py > -ri - 1 && px < ctx->width + ri + 1 && py < ctx->height + ri + 1))
            continue;
          gx = (int) floor (px) + ri;
          gy = (int) floor (py) + ri;
          if (gx >= 0 && gy >= 0 && gx < gw && gy < gh)
            bins[(gsize) gy * gw + gx] += (float) w;
        }
    }

  /* quartic kernel between pixel centres, K = (1 − d²/r²)² for d < r */
  kernel = g_new0 (float, (gsize) k * k);
  for (int dy = -ri; dy <= ri; dy++)
    for (int dx = -ri; dx <= ri; dx++)
      {
        double d2 = ((double) dx * dx + (double) dy * dy) / (radius * radius);

        if (d2 < 1)
          kernel[(gsize) (dy + ri) * k + dx + ri] = (float) ((1 - d2) * (1 - d2));
      }

  for (gsize b = 0; b < (gsize) gw * gh; b++)
    n_bins += bins[b] != 0;

  density = g_new0 (float, (gsize) ctx->width * ctx->height);
  {
    HeatJob job = { bins, gw, gh, ri, kernel, density, ctx->width, ctx->height, 0, ctx->height };
    HeatJob second = job;
    GThread *thread = NULL;

    if ((guint64) n_bins * k * k > 2000000 && ctx->height >= 64 && render_threads () >= 2)
      {
        job.y1 = ctx->height / 2;
        second.y0 = job.y1;
        thread = g_thread_try_new ("gis-render-heat", heat_thread, &second, NULL);
        run_heat_job (&job);
        if (thread != NULL)
          g_thread_join (thread);
        else
          run_heat_job (&second);
      }
    else
      run_heat_job (&job);
  }

  if (cancelled (ctx))
    return FALSE;

  for (gsize p = 0; p < (gsize) ctx->width * ctx->height; p++)
    max = MAX (max, density[p]);
  if (!(max > 0))
    return TRUE;

  /* colour on the ramp by density relative to the maximum of the view;
   * alpha √t, so that thin density shows and none is transparent */
  for (int i = 0; i < 256; i++)
    {
      GisColor c;
      double t = i / 255.0;
      double a = sqrt (t);

      gis_color_ramp_sample (gis_style_get_ramp (layer->style), t, &c);
      lut[i] = ((guint32) lround (a * 255) << 24) |
               ((guint32) lround (c.r * a * 255) << 16) |
               ((guint32) lround (c.g * a * 255) << 8) |
               (guint32) lround (c.b * a * 255);
    }

  for (int y = 0; y < ctx->height; y++)
    {
      const float *drow = density + (gsize) y * ctx->width;
      guint32 *out = cv->pixels + (gsize) y * cv->stride;

      for (int x = 0; x < ctx->width; x++)
        {
          int i;

          if (drow[x] <= 0)
            continue;
          i = (int) (drow[x] / max * 255 + 0.5f);
          i = CLAMP (i, 1, 255);
          out[x] = over (lut[i], out[x]);
        }
    }
  return TRUE;
}

/* ---- lines and polygons -------------------------------------------------- */

typedef struct
{
  double x;
  double y;
} Vec;

/* Sutherland–Hodgman: a ring clipped to the box [lo, hi]². */
static void
clip_ring (GArray *ring,
           double  x0,
           double  y0,
           double  x1,
           double  y1)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (Vec));

  for (int edge = 0; edge < 4; edge++)
    {
      g_array_set_size (out, 0);
      for (guint i = 0; i < ring->len; i++)
        {
          Vec a = g_array_index (ring, Vec, (i + ring->len - 1) % ring->len);
          Vec b = g_array_index (ring, Vec, i);
          double da, db;

          switch (edge)
            {
            case 0: da = a.x - x0; db = b.x - x0; break;
            case 1: da = x1 - a.x; db = x1 - b.x; break;
            case 2: da = a.y - y0; db = b.y - y0; break;
            default: da = y1 - a.y; db = y1 - b.y; break;
            }
          if (db >= 0)
            {
              if (da < 0)
                {
                  Vec m = { a.x + (b.x - a.x) * da / (da - db), a.y + (b.y - a.y) * da / (da - db) };

                  g_array_append_val (out, m);
                }
              g_array_append_val (out, b);
            }
          else if (da >= 0)
            {
              Vec m = { a.x + (b.x - a.x) * da / (da - db), a.y + (b.y - a.y) * da / (da - db) };

              g_array_append_val (out, m);
            }
        }
      g_array_set_size (ring, 0);
      g_array_append_vals (ring, out->data, out->len);
      if (ring->len == 0)
        return;
    }
}

/* Liang–Barsky: the part of segment a-b inside the box, if any. */
static gboolean
clip_segment (Vec    *a,
              Vec    *b,
              double  x0,
              double  y0,
              double  x1,
              double  y1)
{
  double t0 = 0, t1 = 1;
  double dx = b->x - a->x, dy = b->y - a->y;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { a->x - x0, x1 - a->x, a->y - y0, y1 - a->y };

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      {
        double t = q[i] / p[i];

        if (p[i] < 0)
          t0 = MAX (t0, t);
        else
          t1 = MIN (t1, t);
      }
      if (t0 > t1)
        return FALSE;
    }
  {
    Vec na = { a->x + t0 * dx, a->y + t0 * dy };
    Vec nb = { a->x + t1 * dx, a->y + t1 * dy };

    *a = na;
    *b = nb;
  }
  return TRUE;
}

/* Adds the feature's parts to the current path, in user space (view
 * pixels), merging vertices less than a third of a device pixel apart. */
static void
feature_path (const Ctx      *ctx,
              cairo_t        *cr,
              GisLayerData   *data,
              guint           i,
              GisFeatureKind  kind,
              gboolean        clip)
{
  const double *xs = gis_layer_data_get_x (data);
  const double *ys = gis_layer_data_get_y (data);
  double inv = 1.0 / ctx->scale;
  double tol = 0.33;
  double bx0 = -CLIP_MARGIN, by0 = -CLIP_MARGIN;
  double bx1 = ctx->width + CLIP_MARGIN, by1 = ctx->height + CLIP_MARGIN;
  guint p0, np;

  gis_layer_data_get_parts (data, i, &p0, &np);
  for (guint p = p0; p < p0 + np; p++)
    {
      guint c0, nc;

      gis_layer_data_get_part (data, p, &c0, &nc);
      if (nc == 0)
        continue;

      if (clip && kind == GIS_FEATURE_POLYGON)
        {
          g_autoptr(GArray) ring = g_array_sized_new (FALSE, FALSE, sizeof (Vec), nc);

          for (guint c = c0; c < c0 + nc; c++)
            {
              Vec v = { dev_x (ctx, xs[c]), dev_y (ctx, ys[c]) };

              g_array_append_val (ring, v);
            }
          clip_ring (ring, bx0, by0, bx1, by1);
          for (guint k = 0; k < ring->len; k++)
            {
              Vec v = g_array_index (ring, Vec, k);

              if (k == 0)
                cairo_move_to (cr, v.x * inv, v.y * inv);
              else
                cairo_line_to (cr, v.x * inv, v.y * inv);
            }
          if (ring->len > 0)
            cairo_close_path (cr);
          continue;
        }

      if (clip)
        {
          /* a line: each segment clipped; a new sub-path where it re-enters */
          gboolean open = FALSE;

          for (guint c = c0; c + 1 < c0 + nc; c++)
            {
              Vec a = { dev_x (ctx, xs[c]), dev_y (ctx, ys[c]) };
              Vec b = { dev_x (ctx, xs[c + 1]), dev_y (ctx, ys[c + 1]) };
              Vec a0 = a;

              if (!clip_segment (&a, &b, bx0, by0, bx1, by1))
                {
                  open = FALSE;
                  continue;
                }
              if (!open || a.x != a0.x || a.y != a0.y)
                cairo_move_to (cr, a.x * inv, a.y * inv);
              cairo_line_to (cr, b.x * inv, b.y * inv);
              open = b.x == dev_x (ctx, xs[c + 1]) && b.y == dev_y (ctx, ys[c + 1]);
            }
          continue;
        }

      {
        double lx = dev_x (ctx, xs[c0]), ly = dev_y (ctx, ys[c0]);

        cairo_move_to (cr, lx * inv, ly * inv);
        for (guint c = c0 + 1; c < c0 + nc; c++)
          {
            double x = dev_x (ctx, xs[c]), y = dev_y (ctx, ys[c]);

            if (fabs (x - lx) < tol && fabs (y - ly) < tol && c + 1 < c0 + nc)
              continue;
            cairo_line_to (cr, x * inv, y * inv);
            lx = x;
            ly = y;
          }
        if (kind == GIS_FEATURE_POLYGON)
          cairo_close_path (cr);
      }
    }
}

/* Draws the lines and polygons of a layer (and, in a mixed layer, its
 * points when @points_too); @selected_only draws the highlight of the
 * selected features instead. */
static gboolean
draw_shapes (const Ctx      *ctx,
             cairo_t        *cr,
             GisRenderLayer *layer,
             gboolean        selected_only)
{
  GisLayerData *data = layer->data;
  const guint16 *classes = g_bytes_get_data (layer->classes, NULL);
  const gint64 *times = gis_layer_data_get_times (data);
  gboolean filter = time_filter_active (layer);
  guint n_symbols = gis_style_get_n_symbols (layer->style);
  g_autofree GisSymbol *symbols = g_new (GisSymbol, n_symbols);
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint32));
  double margin_px = 2 + 2 * SELECTION_HALO_PX;
  GisColor yellow;
  GisExtent box;

  gis_color_parse (GIS_STYLE_SELECTION_COLOR, &yellow);
  for (guint c = 0; c < n_symbols; c++)
    {
      gis_style_get_class_symbol (layer->style, c, &symbols[c]);
      margin_px = MAX (margin_px, symbols[c].stroke_width_px + 2 * SELECTION_HALO_PX);
    }

  if (selected_only)
    {
      for (gsize s = 0; s < layer->n_selection; s++)
        {
          guint index;

          if (gis_layer_data_find_fid (data, layer->selection[s], &index))
            g_array_append_val (indices, index);
        }
    }
  else
    {
      query_box (ctx, margin_px, &box);
      gis_layer_data_query_box (data, &box, indices);
    }

  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);

  for (guint k = 0; k < indices->len; k++)
    {
      guint32 i = g_array_index (indices, guint32, k);
      GisFeatureKind kind = gis_layer_data_get_feature_kind (data, i);
      const GisSymbol *sym;
      GisExtent e;
      double x0, y0, x1, y1;
      gboolean clip;

      if ((k % SHAPE_CHUNK) == SHAPE_CHUNK - 1 && cancelled (ctx))
        {
          cairo_restore (cr);
          return FALSE;
        }
      if (kind != GIS_FEATURE_LINE && kind != GIS_FEATURE_POLYGON)
        continue;
      if (classes[i] == GIS_STYLE_CLASS_NONE)
        continue;
      if (filter && (times[i] == GIS_LAYER_DATA_NO_TIME || times[i] < layer->time_min ||
                     times[i] > layer->time_max))
        continue;
      sym = &symbols[classes[i]];

      gis_layer_data_get_feature_extent (data, i, &e);
      x0 = dev_x (ctx, e.min_x);
      x1 = dev_x (ctx, e.max_x);
      y0 = dev_y (ctx, e.max_y);
      y1 = dev_y (ctx, e.min_y);
      if (x1 < -margin_px * ctx->scale || y1 < -margin_px * ctx->scale ||
          x0 > ctx->width + margin_px * ctx->scale || y0 > ctx->height + margin_px * ctx->scale)
        continue;

      if (x1 - x0 < 1 && y1 - y0 < 1)
        {
          /* smaller than a pixel: one pixel */
          const GisColor *c;
          double px = floor ((x0 + x1) / 2), py = floor ((y0 + y1) / 2);

          if (selected_only)
            c = &yellow;
          else if (kind == GIS_FEATURE_POLYGON && sym->fill.a > 0)
            c = &sym->fill;
          else
            c = &sym->stroke;
          if (c->a <= 0)
            continue;
          set_source_color (cr, c);
          cairo_rectangle (cr, px / ctx->scale, py / ctx->scale, 1 / ctx->scale, 1 / ctx->scale);
          cairo_fill (cr);
          continue;
        }

      clip = x0 < -SAFE_COORD || y0 < -SAFE_COORD ||
             x1 > ctx->width + SAFE_COORD || y1 > ctx->height + SAFE_COORD;
      feature_path (ctx, cr, data, i, kind, clip);

      if (selected_only)
        {
          double w = kind == GIS_FEATURE_LINE ? sym->stroke_width_px + 2 * SELECTION_HALO_PX
                                              : 2 * SELECTION_HALO_PX;

          set_source_color (cr, &yellow);
          cairo_set_line_width (cr, w);
          cairo_set_dash (cr, NULL, 0, 0);
          if (kind == GIS_FEATURE_LINE && has_stroke (sym))
            {
              cairo_stroke_preserve (cr);
              set_source_color (cr, &sym->stroke);
              cairo_set_line_width (cr, sym->stroke_width_px);
              set_dash (cr, sym->dash, sym->stroke_width_px);
            }
          cairo_stroke (cr);
          continue;
        }

      if (kind == GIS_FEATURE_POLYGON && sym->fill.a > 0)
        {
          set_source_color (cr, &sym->fill);
          if (has_stroke (sym))
            cairo_fill_preserve (cr);
          else
            cairo_fill (cr);
        }
      if (has_stroke (sym))
        {
          set_source_color (cr, &sym->stroke);
          cairo_set_line_width (cr, sym->stroke_width_px);
          set_dash (cr, sym->dash, sym->stroke_width_px);
          cairo_stroke (cr);
        }
      cairo_new_path (cr);
    }

  cairo_restore (cr);
  return TRUE;
}

/* ---- selection of points ------------------------------------------------- */

static gboolean
draw_selected_points (const Ctx      *ctx,
                      cairo_t        *cr,
                      const Canvas   *cv,
                      GisRenderLayer *layer)
{
  GisLayerData *data = layer->data;
  const guint16 *classes = g_bytes_get_data (layer->classes, NULL);
  const double *xs = gis_layer_data_get_x (data);
  const double *ys = gis_layer_data_get_y (data);
  guint n_symbols = gis_style_get_n_symbols (layer->style);
  Sprite **sprites = g_new0 (Sprite *, n_symbols);
  g_autofree GisSymbol *symbols = g_new (GisSymbol, n_symbols);

  for (guint c = 0; c < n_symbols; c++)
    gis_style_get_class_symbol (layer->style, c, &symbols[c]);

  for (gsize s = 0; s < layer->n_selection; s++)
    {
      guint i, p0, np;

      if ((s & 1023) == 1023 && cancelled (ctx))
        {
          free_sprites (sprites, n_symbols);
          return FALSE;
        }
      if (!gis_layer_data_find_fid (data, layer->selection[s], &i) ||
          gis_layer_data_get_feature_kind (data, i) != GIS_FEATURE_POINT ||
          !gis_render_layer_is_visible (layer, i))
        continue;

      gis_layer_data_get_parts (data, i, &p0, &np);
      for (guint p = p0; p < p0 + np; p++)
        {
          guint c0, nc;
          double px, py;
          int ix, iy;
          guint cls = classes[i];

          gis_layer_data_get_part (data, p, &c0, &nc);
          px = dev_x (ctx, xs[c0]);
          py = dev_y (ctx, ys[c0]);
          if (!(px > -1000 && py > -1000 && px < ctx->width + 1000 && py < ctx->height + 1000))
            continue;
          ix = (int) floor (px);
          iy = (int) floor (py);
          if (cv != NULL)
            {
              if (sprites[cls] == NULL)
                sprites[cls] = sprite_new (&symbols[cls], ctx->scale, TRUE);
              if (ix + sprites[cls]->half < 0 || ix - sprites[cls]->half >= cv->width ||
                  iy + sprites[cls]->half < 0 || iy - sprites[cls]->half >= cv->height)
                continue;
              stamp (cv, sprites[cls], ix, iy, 0, cv->height);
            }
          else
            {
              cairo_save (cr);
              cairo_translate (cr, (ix + 0.5) / ctx->scale, (iy + 0.5) / ctx->scale);
              draw_marker (cr, &symbols[cls], 1.0, TRUE);
              cairo_restore (cr);
            }
        }
    }
  free_sprites (sprites, n_symbols);
  return TRUE;
}

/* ---- labels -------------------------------------------------------------- */

typedef struct
{
  double x0;
  double y0;
  double x1;
  double y1;
} Rect;

static gboolean
rect_overlaps (const GArray *placed,
               const Rect   *r)
{
  for (guint i = 0; i < placed->len; i++)
    {
      const Rect *o = &g_array_index (placed, Rect, i);

      if (r->x0 < o->x1 && r->x1 > o->x0 && r->y0 < o->y1 && r->y1 > o->y0)
        return TRUE;
    }
  return FALSE;
}

/* Where a feature's label goes, in view pixels; *align: 0 left of the
 * anchor's right (points), 1 centred. */
static gboolean
label_anchor (const Ctx      *ctx,
              GisLayerData   *data,
              guint           i,
              const GisSymbol *sym,
              double         *ax,
              double         *ay,
              gboolean       *centred)
{
  const double *xs = gis_layer_data_get_x (data);
  const double *ys = gis_layer_data_get_y (data);
  GisFeatureKind kind = gis_layer_data_get_feature_kind (data, i);
  guint p0, np, c0, nc;

  gis_layer_data_get_parts (data, i, &p0, &np);
  if (np == 0)
    return FALSE;

  switch (kind)
    {
    case GIS_FEATURE_POINT:
      gis_layer_data_get_part (data, p0, &c0, &nc);
      *ax = dev_x (ctx, xs[c0]) / ctx->scale + sym->size_px / 2 + 3;
      *ay = dev_y (ctx, ys[c0]) / ctx->scale;
      *centred = FALSE;
      return TRUE;

    case GIS_FEATURE_LINE:
      {
        guint best = p0, best_n = 0;

        for (guint p = p0; p < p0 + np; p++)
          {
            gis_layer_data_get_part (data, p, &c0, &nc);
            if (nc > best_n)
              {
                best = p;
                best_n = nc;
              }
          }
        gis_layer_data_get_part (data, best, &c0, &nc);
        *ax = dev_x (ctx, xs[c0 + nc / 2]) / ctx->scale;
        *ay = dev_y (ctx, ys[c0 + nc / 2]) / ctx->scale;
        *centred = TRUE;
        return TRUE;
      }

    case GIS_FEATURE_POLYGON:
      {
        GisExtent e;

        gis_layer_data_get_feature_extent (data, i, &e);
        *ax = dev_x (ctx, (e.min_x + e.max_x) / 2) / ctx->scale;
        *ay = dev_y (ctx, (e.min_y + e.max_y) / 2) / ctx->scale;
        *centred = TRUE;
        return TRUE;
      }

    case GIS_FEATURE_NONE:
    default:
      return FALSE;
    }
}

static gboolean
draw_labels (const Ctx             *ctx,
             cairo_t               *cr,
             GisRenderLayer *const *layers,
             guint                  n_layers)
{
  g_autoptr(GArray) placed = g_array_new (FALSE, FALSE, sizeof (Rect));
  g_autoptr(PangoLayout) layout = NULL;

  /* top layers first: they win the room */
  for (guint l = n_layers; l-- > 0;)
    {
      GisRenderLayer *layer = layers[l];
      const GisLabelStyle *ls = gis_style_get_label (layer->style);
      const guint16 *classes = g_bytes_get_data (layer->classes, NULL);
      g_autoptr(GArray) indices = NULL;
      g_autoptr(PangoFontDescription) font = NULL;
      GisExtent box;
      int col;

      if (!layer->show_labels || ls->field == NULL || layer->opacity <= 0)
        continue;
      col = gis_layer_data_find_column (layer->data, ls->field);
      if (col < 0)
        continue;

      if (layout == NULL)
        layout = pango_cairo_create_layout (cr);
      font = pango_font_description_from_string ("Sans");
      pango_font_description_set_absolute_size (font, ls->size_px * PANGO_SCALE);
      pango_layout_set_font_description (layout, font);

      indices = g_array_new (FALSE, FALSE, sizeof (guint32));
      query_box (ctx, 0, &box);
      gis_layer_data_query_box (layer->data, &box, indices);

      for (guint k = 0; k < MIN (indices->len, MAX_LABEL_CANDIDATES); k++)
        {
          guint32 i = g_array_index (indices, guint32, k);
          g_autofree char *text = NULL;
          GisSymbol sym;
          double ax, ay, x, y;
          gboolean centred;
          PangoRectangle ink, logical;
          Rect r;

          if (placed->len >= MAX_LABELS)
            return TRUE;
          if ((k & 255) == 255 && cancelled (ctx))
            return FALSE;
          if (!gis_render_layer_is_visible (layer, i))
            continue;
          text = gis_layer_data_format_value (layer->data, (guint) col, i);
          if (text == NULL || *text == '\0')
            continue;
          gis_style_get_class_symbol (layer->style, classes[i], &sym);
          if (!label_anchor (ctx, layer->data, i, &sym, &ax, &ay, &centred))
            continue;

          pango_layout_set_text (layout, text, -1);
          pango_layout_get_pixel_extents (layout, &ink, &logical);
          x = centred ? ax - logical.width / 2.0 : ax;
          y = ay - logical.height / 2.0;
          r.x0 = x - ls->halo_px - 1;
          r.y0 = y - ls->halo_px - 1;
          r.x1 = x + logical.width + ls->halo_px + 1;
          r.y1 = y + logical.height + ls->halo_px + 1;
          if (r.x1 < 0 || r.y1 < 0 || r.x0 > ctx->view.width_px || r.y0 > ctx->view.height_px)
            continue;
          if (rect_overlaps (placed, &r))
            continue;
          g_array_append_val (placed, r);

          cairo_save (cr);
          cairo_move_to (cr, x, y);
          if (ls->halo_px > 0 && ls->halo_color.a > 0)
            {
              pango_cairo_layout_path (cr, layout);
              set_source_color (cr, &ls->halo_color);
              cairo_set_line_width (cr, 2 * ls->halo_px);
              cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
              cairo_stroke (cr);
              cairo_move_to (cr, x, y);
            }
          set_source_color (cr, &ls->color);
          pango_cairo_show_layout (cr, layout);
          cairo_restore (cr);
        }
    }
  return TRUE;
}

/* ---- the job ------------------------------------------------------------- */

static gboolean
is_point_like (GisRenderLayer *layer)
{
  return gis_style_get_kind (layer->style) == GIS_STYLE_HEATMAP ||
         gis_layer_data_is_point_layer (layer->data);
}

/* A layer's points or heat map into a canvas. */
static gboolean
stamp_layer (const Ctx      *ctx,
             GisRenderLayer *layer,
             const Canvas   *cv)
{
  if (gis_style_get_kind (layer->style) == GIS_STYLE_HEATMAP)
    return stamp_heatmap (ctx, layer, cv);
  return stamp_points (ctx, layer, cv);
}

static gboolean
layer_has_points (GisRenderLayer *layer)
{
  GisLayerData *data = layer->data;
  guint n = gis_layer_data_get_n_features (data);

  if (gis_layer_data_is_point_layer (data))
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (gis_layer_data_get_feature_kind (data, i) == GIS_FEATURE_POINT)
      return TRUE;
  return FALSE;
}

/* Points, heat maps (or the points of a mixed layer) of one layer drawn
 * into an image of the device size, then painted on @cr; or, with
 * ctx->target and full opacity, stamped straight into the target. */
static gboolean
render_raster_layer (const Ctx      *ctx,
                     GisRenderLayer *layer)
{
  cairo_surface_t *image;
  Canvas cv;
  gboolean ok;

  if (ctx->target != NULL && layer->opacity >= 1)
    {
      cairo_surface_flush (ctx->target);
      cv.pixels = (guint32 *) (void *) cairo_image_surface_get_data (ctx->target);
      cv.stride = cairo_image_surface_get_stride (ctx->target) / 4;
      cv.width = ctx->width;
      cv.height = ctx->height;
      ok = stamp_layer (ctx, layer, &cv);
      cairo_surface_mark_dirty (ctx->target);
      return ok;
    }

  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ctx->width, ctx->height);
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (image);
      return TRUE;
    }
  cv.pixels = (guint32 *) (void *) cairo_image_surface_get_data (image);
  cv.stride = cairo_image_surface_get_stride (image) / 4;
  cv.width = ctx->width;
  cv.height = ctx->height;
  ok = stamp_layer (ctx, layer, &cv);
  cairo_surface_mark_dirty (image);
  if (ok)
    {
      cairo_save (ctx->cr);
      cairo_scale (ctx->cr, 1 / ctx->scale, 1 / ctx->scale);
      cairo_set_source_surface (ctx->cr, image, 0, 0);
      cairo_paint_with_alpha (ctx->cr, layer->opacity);
      cairo_restore (ctx->cr);
    }
  cairo_surface_destroy (image);
  return ok;
}

/* ---- raster layers ------------------------------------------------------- */

#define GRID_LUT_SIZE 1024
/* above the style's cutoff, values fade in over this share of the range */
#define GRID_FADE 0.10

/* The colours of the style's ramp as premultiplied ARGB, low to high. */
static void
grid_lut (GisStyle *style,
          guint32   lut[GRID_LUT_SIZE])
{
  GisColorRamp ramp = gis_style_get_ramp (style);
  double cutoff = 0;

  gis_style_get_raster (style, NULL, NULL, &cutoff, NULL);
  for (guint i = 0; i < GRID_LUT_SIZE; i++)
    {
      double t = i / (double) (GRID_LUT_SIZE - 1);
      double a = t <= cutoff ? 0 : MIN (1.0, (t - cutoff) / GRID_FADE);
      GisColor c;

      gis_color_ramp_sample (ramp, t, &c);
      a *= c.a;
      lut[i] = ((guint32) lround (a * 255) << 24) |
               ((guint32) lround (c.r * a * 255) << 16) |
               ((guint32) lround (c.g * a * 255) << 8) |
               (guint32) lround (c.b * a * 255);
    }
}

/* A raster layer: every device pixel of the view inside the grid's box
 * takes the colour of the grid's value under its centre, the pixel
 * centres projected from the display CRS to the grid's, a row at a time. */
static gboolean
render_grid_layer (const Ctx      *ctx,
                   GisRenderLayer *layer)
{
  const GisRaster *raster = gis_layer_data_get_raster (layer->data);
  const GisExtent *box = gis_layer_data_get_extent (layer->data);
  g_autoptr(GisCrs) grid_crs = NULL;
  g_autoptr(GisTransform) to_grid = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autofree double *xs = NULL;
  g_autofree double *ys = NULL;
  guint32 lut[GRID_LUT_SIZE];
  double vmin = NAN, vmax = NAN, lo = 0, hi = 0, res, span;
  gboolean bilinear = TRUE;
  cairo_surface_t *image;
  guint32 *pixels;
  int stride, x0, x1, y0, y1;

  if (box->min_x > box->max_x)
    return TRUE;
  grid_crs = gis_crs_new (raster->crs, NULL);
  if (grid_crs == NULL)
    return TRUE;
  if (!gis_crs_equal (grid_crs, gis_layer_data_get_crs (layer->data)))
    {
      to_grid = gis_transform_new (gis_layer_data_get_crs (layer->data), grid_crs, NULL);
      if (to_grid == NULL)
        return TRUE;
    }
  /* a raster given a style of features (by hand, in the JSON) is drawn
   * with the default raster style rather than not at all */
  if (gis_style_get_kind (layer->style) == GIS_STYLE_RASTER)
    style = gis_style_ref (layer->style);
  else
    style = gis_style_new_raster (GIS_COLOR_RAMP_YLORRD, NAN, NAN, GIS_STYLE_RASTER_CUTOFF, TRUE);
  gis_style_get_raster (style, &vmin, &vmax, NULL, &bilinear);
  if ((!isfinite (vmin) || !isfinite (vmax)) && !gis_raster_get_range (raster, &lo, &hi))
    return TRUE;
  if (!isfinite (vmin))
    vmin = lo;
  if (!isfinite (vmax))
    vmax = hi;
  span = vmax - vmin;
  grid_lut (style, lut);

  /* the device pixels of the grid's box */
  x0 = MAX (0, (int) floor (dev_x (ctx, box->min_x)));
  x1 = MIN (ctx->width, (int) ceil (dev_x (ctx, box->max_x)));
  y0 = MAX (0, (int) floor (dev_y (ctx, box->max_y)));
  y1 = MIN (ctx->height, (int) ceil (dev_y (ctx, box->min_y)));
  if (x0 >= x1 || y0 >= y1)
    return TRUE;

  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ctx->width, ctx->height);
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (image);
      return TRUE;
    }
  pixels = (guint32 *) (void *) cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image) / 4;
  xs = g_new (double, x1 - x0);
  ys = g_new (double, x1 - x0);
  res = ctx->view.resolution / ctx->scale;
  for (int j = y0; j < y1; j++)
    {
      double my = ctx->view.center_y - ((j + 0.5) / ctx->scale - ctx->view.height_px / 2.0) * ctx->view.resolution;

      if (((j - y0) & 63) == 0 && cancelled (ctx))
        {
          cairo_surface_destroy (image);
          return FALSE;
        }
      for (int i = x0; i < x1; i++)
        {
          xs[i - x0] = ctx->view.center_x + ((i + 0.5) - ctx->view.width_px * ctx->scale / 2.0) * res;
          ys[i - x0] = my;
        }
      if (to_grid != NULL)
        gis_transform_array (to_grid, xs, ys, (gsize) (x1 - x0));
      for (int i = x0; i < x1; i++)
        {
          double v, t;

          if (!isfinite (xs[i - x0]) || !gis_raster_sample (raster, xs[i - x0], ys[i - x0], bilinear, &v))
            continue;
          t = span > 0 ? (v - vmin) / span : (v >= vmax ? 1 : 0);
          if (!(t > 0))
            continue;  /* at or below the ramp's start (and NaN): transparent */
          pixels[(gsize) j * stride + i] = lut[(int) (MIN (t, 1.0) * (GRID_LUT_SIZE - 1) + 0.5)];
        }
    }
  cairo_surface_mark_dirty (image);
  cairo_save (ctx->cr);
  cairo_scale (ctx->cr, 1 / ctx->scale, 1 / ctx->scale);
  cairo_set_source_surface (ctx->cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (ctx->cr), CAIRO_FILTER_NEAREST);
  cairo_paint_with_alpha (ctx->cr, layer->opacity);
  cairo_restore (ctx->cr);
  cairo_surface_destroy (image);
  return TRUE;
}

static gboolean
render_layers (const Ctx             *ctx,
               GisRenderLayer *const *layers,
               guint                  n_layers)
{
  cairo_t *cr = ctx->cr;

  for (guint l = 0; l < n_layers; l++)
    {
      GisRenderLayer *layer = layers[l];
      gboolean heat = gis_style_get_kind (layer->style) == GIS_STYLE_HEATMAP;
      gboolean group;

      g_return_val_if_fail (layer != NULL, FALSE);

      if (cancelled (ctx))
        return FALSE;
      if (layer->opacity > 0 && gis_layer_data_get_raster (layer->data) != NULL)
        {
          if (!render_grid_layer (ctx, layer))
            return FALSE;
          continue;
        }
      if (layer->opacity <= 0 || gis_layer_data_get_n_features (layer->data) == 0)
        continue;

      if (heat || (is_point_like (layer) && !ctx->vector))
        {
          if (!render_raster_layer (ctx, layer))
            return FALSE;
          continue;
        }

      /* lines, polygons, mixed layers; points of vector output */
      group = layer->opacity < 1;
      if (group)
        cairo_push_group (cr);
      if (!is_point_like (layer) && !draw_shapes (ctx, cr, layer, FALSE))
        {
          if (group)
            cairo_pattern_destroy (cairo_pop_group (cr));
          return FALSE;
        }
      if (ctx->vector && layer_has_points (layer) && !draw_points_vector (ctx, cr, layer))
        {
          if (group)
            cairo_pattern_destroy (cairo_pop_group (cr));
          return FALSE;
        }
      if (group)
        {
          cairo_pop_group_to_source (cr);
          cairo_paint_with_alpha (cr, layer->opacity);
        }

      /* the points of a mixed layer, in raster output */
      if (!ctx->vector && !is_point_like (layer) && layer_has_points (layer) &&
          !render_raster_layer (ctx, layer))
        return FALSE;
    }

  /* selections on top of every layer, then labels */
  for (guint l = 0; l < n_layers; l++)
    {
      GisRenderLayer *layer = layers[l];

      if (layer->n_selection == 0 || layer->opacity <= 0)
        continue;
      if (!is_point_like (layer) && !draw_shapes (ctx, cr, layer, TRUE))
        return FALSE;
      if (ctx->target != NULL && !ctx->vector)
        {
          Canvas cv;
          gboolean ok;

          cairo_surface_flush (ctx->target);
          cv.pixels = (guint32 *) (void *) cairo_image_surface_get_data (ctx->target);
          cv.stride = cairo_image_surface_get_stride (ctx->target) / 4;
          cv.width = ctx->width;
          cv.height = ctx->height;
          ok = draw_selected_points (ctx, cr, &cv, layer);
          cairo_surface_mark_dirty (ctx->target);
          if (!ok)
            return FALSE;
        }
      else if (!draw_selected_points (ctx, cr, NULL, layer))
        return FALSE;
    }

  return draw_labels (ctx, cr, layers, n_layers);
}

static void
init_ctx (Ctx                *ctx,
          const GisViewState *view,
          double              scale,
          GCancellable       *cancellable)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->view = *view;
  ctx->scale = scale;
  ctx->width = MAX (1, (int) ceil (view->width_px * scale - 1e-9));
  ctx->height = MAX (1, (int) ceil (view->height_px * scale - 1e-9));
  ctx->cancellable = cancellable;
}

/**
 * gis_render_image:
 * @view: what to show: centre, resolution, size in view pixels
 * @layers: (array length=n_layers): the layers, bottom first
 * @n_layers: their number
 * @device_scale: device pixels per view pixel (2 on a HiDPI screen)
 * @cancellable: (nullable): checked between chunks of features; a newer
 *   job cancels a stale one
 *
 * Draws the layers into a new transparent ARGB32 image of
 * ceil (width_px × @device_scale) by ceil (height_px × @device_scale)
 * pixels, with its device scale set to @device_scale.  Call it on a
 * worker thread; any number of jobs may run at once.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL when cancelled
 */
cairo_surface_t *
gis_render_image (const GisViewState     *view,
                  GisRenderLayer *const  *layers,
                  guint                   n_layers,
                  double                  device_scale,
                  GCancellable           *cancellable)
{
  cairo_surface_t *surface;
  Ctx ctx;
  gboolean ok;

  g_return_val_if_fail (view != NULL, NULL);
  g_return_val_if_fail (view->resolution > 0 && view->width_px > 0 && view->height_px > 0, NULL);
  g_return_val_if_fail (layers != NULL || n_layers == 0, NULL);
  g_return_val_if_fail (device_scale > 0, NULL);

  init_ctx (&ctx, view, device_scale, cancellable);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, ctx.width, ctx.height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_set_device_scale (surface, device_scale, device_scale);

  ctx.cr = cairo_create (surface);
  ctx.target = surface;
  ok = render_layers (&ctx, layers, n_layers);
  cairo_destroy (ctx.cr);
  cairo_surface_flush (surface);

  if (!ok)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }
  return surface;
}

/**
 * gis_render_to_cairo:
 * @cr: where to draw; its user space is taken as the view's pixels
 *   (scale and translate it to place the map on a page)
 * @view: what to show
 * @layers: (array length=n_layers): the layers, bottom first
 * @n_layers: their number
 * @vector_output: draw points as paths (PDF, SVG); otherwise points and
 *   heat maps are rasterised at @cr's device resolution (at least one
 *   pixel per view pixel) and painted as images
 * @cancellable: (nullable): checked between chunks of features
 *
 * The renderer on any cairo context: exports call it on PDF, SVG and
 * image surfaces.  Heat maps are always images.  @cr's state is saved
 * and restored; nothing is drawn outside the view's rectangle.
 *
 * Returns: %FALSE when cancelled (part of the map may have been drawn)
 */
gboolean
gis_render_to_cairo (cairo_t                *cr,
                     const GisViewState     *view,
                     GisRenderLayer *const  *layers,
                     guint                   n_layers,
                     gboolean                vector_output,
                     GCancellable           *cancellable)
{
  double dx = 1, dy = 0, scale;
  Ctx ctx;
  gboolean ok;

  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (view->resolution > 0 && view->width_px > 0 && view->height_px > 0, FALSE);
  g_return_val_if_fail (layers != NULL || n_layers == 0, FALSE);

  cairo_user_to_device_distance (cr, &dx, &dy);
  scale = MAX (1.0, hypot (dx, dy));
  if (scale > 16)
    scale = 16;

  init_ctx (&ctx, view, scale, cancellable);
  ctx.vector = vector_output;
  ctx.cr = cr;
  ctx.target = NULL;

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, view->width_px, view->height_px);
  cairo_clip (cr);
  ok = render_layers (&ctx, layers, n_layers);
  cairo_restore (cr);
  return ok;
}
