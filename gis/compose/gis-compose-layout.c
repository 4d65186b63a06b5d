/* gis-compose-layout.c: where each part of a map page goes, and its drawing
 *
 * The page is laid out in points (1/72 in), its origin at the top-left
 * corner.  Text is measured with a Pango context of its own, at 72 dots
 * per inch and without hinted metrics, so the layout is the same on a
 * PDF, an SVG, a PNG at any resolution or a preview: only the drawing
 * knows its surface.  In portrait the legend, scale bar, north arrow and
 * notes sit under the map; in landscape, in a column to its right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-compose"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "gis-compose-i18n-private.h"
#include "gis-composition-private.h"
#include "gis-error.h"

#define EARTH_RADIUS_M   6371008.8
#define M_PER_PT         (0.0254 / 72.0)
#define M_PER_MILE       1609.344
#define FONT_FAMILY      "Sans"

/* North America, for the locator and for a store without layers */
static const GisExtent north_america = { -170.0, 12.0, -50.0, 75.0 };

static const GisColor ink = { 0.13, 0.13, 0.13, 1 };
static const GisColor grey_ink = { 0.35, 0.35, 0.35, 1 };
static const GisColor white = { 1, 1, 1, 1 };

typedef struct
{
  double x;
  double y;
  double w;
  double h;
} Box;

typedef struct
{
  GisComposition *self;
  guint           page;
  GisLanguage     lang;
  PangoContext   *pango;
  double          u;             /* type size unit: 1 on a Letter page */

  /* the layout */
  double          page_w;
  double          page_h;
  char           *title;
  char           *subtitle;
  Box             title_box;
  Box             subtitle_box;
  Box             frame;
  Box             legend;
  Box             scale;
  Box             arrow;
  Box             notes;
  GisViewState    view;

  /* the drawing */
  cairo_t        *cr;
  gboolean        vector;
  GString        *svg;           /* non-NULL: text goes here as SVG elements */
  GCancellable   *cancellable;
} Page;

static void
page_clear (Page *p)
{
  g_clear_object (&p->pango);
  g_clear_pointer (&p->title, g_free);
  g_clear_pointer (&p->subtitle, g_free);
}

/* ---- text -------------------------------------------------------------- */

/* One context per thread, as Pango's default font map is: a context
 * made per page would leave its fonts in the font map's caches. */
static GPrivate pango_context_key = G_PRIVATE_INIT (g_object_unref);

static PangoContext *
get_pango_context (void)
{
  PangoContext *context = g_private_get (&pango_context_key);
  cairo_font_options_t *options;

  if (context != NULL)
    return g_object_ref (context);

  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  /* metrics independent of the output's resolution */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 72);
  cairo_font_options_destroy (options);
  g_private_set (&pango_context_key, context);
  return g_object_ref (context);
}

static PangoLayout *
new_layout (Page       *p,
            const char *text,
            double      size_pt,
            gboolean    bold)
{
  PangoLayout *layout = pango_layout_new (p->pango);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_size (font, (int) (size_pt * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static void
layout_size (PangoLayout *layout,
             double      *w,
             double      *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (w != NULL)
    *w = (double) logical.width / PANGO_SCALE;
  if (h != NULL)
    *h = (double) logical.height / PANGO_SCALE;
}

/* Shortens a one-line layout to @max_w with an ellipsis.  (Pango's own
 * ellipsis would hide which characters are shown from the SVG text.) */
static void
fit_line (PangoLayout *layout,
          const char  *text,
          double       max_w)
{
  double w;
  glong n, lo, hi;

  pango_layout_set_text (layout, text, -1);
  layout_size (layout, &w, NULL);
  if (w <= max_w)
    return;

  n = g_utf8_strlen (text, -1);
  lo = 0;
  hi = n;
  while (lo < hi)
    {
      glong mid = (lo + hi + 1) / 2;
      g_autofree char *cut = g_utf8_substring (text, 0, mid);
      g_autofree char *with = g_strconcat (g_strchomp (cut), "…", NULL);

      pango_layout_set_text (layout, with, -1);
      layout_size (layout, &w, NULL);
      if (w <= max_w)
        lo = mid;
      else
        hi = mid - 1;
    }
  {
    g_autofree char *cut = g_utf8_substring (text, 0, lo);
    g_autofree char *with = g_strconcat (g_strchomp (cut), "…", NULL);

    pango_layout_set_text (layout, with, -1);
  }
}

static void
set_source (cairo_t        *cr,
            const GisColor *c)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a);
}

static gboolean
is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* The layout's runs as SVG text elements, each at its baseline. */
static void
svg_layout (Page           *p,
            PangoLayout    *layout,
            double          x,
            double          y,
            const GisColor *color)
{
  PangoLayoutIter *it = pango_layout_get_iter (layout);
  const char *text = pango_layout_get_text (layout);

  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (it);
      PangoFontDescription *font;
      PangoRectangle logical;
      g_autofree char *chunk = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *family = NULL;
      double baseline;
      gsize lead;

      if (run == NULL)
        continue;
      chunk = g_strndup (text + run->item->offset, run->item->length);
      if (is_blank (chunk))
        continue;
      /* SVG readers collapse the spaces around a text element's words:
       * place its first letter where Pango has it instead */
      lead = 0;
      while (g_ascii_isspace (chunk[lead]))
        lead++;
      g_strchomp (chunk);
      pango_layout_index_to_pos (layout, run->item->offset + lead, &logical);
      baseline = (double) pango_layout_iter_get_baseline (it) / PANGO_SCALE;
      font = pango_font_describe (run->item->analysis.font);
      escaped = g_markup_escape_text (chunk + lead, -1);
      family = g_markup_escape_text (pango_font_description_get_family (font) != NULL
                                     ? pango_font_description_get_family (font) : FONT_FAMILY, -1);
      g_string_append_printf (p->svg,
                              "<text x=\"%.2f\" y=\"%.2f\" font-family=\"%s, sans-serif\" "
                              "font-size=\"%.2f\" font-weight=\"%s\" fill=\"#%02x%02x%02x\">%s</text>\n",
                              x + (double) logical.x / PANGO_SCALE, y + baseline, family,
                              (double) pango_font_description_get_size (font) / PANGO_SCALE,
                              pango_font_description_get_weight (font) >= PANGO_WEIGHT_SEMIBOLD
                              ? "bold" : "normal",
                              (int) lround (color->r * 255), (int) lround (color->g * 255),
                              (int) lround (color->b * 255), escaped);
      pango_font_description_free (font);
    }
  while (pango_layout_iter_next_run (it));
  pango_layout_iter_free (it);
}

static void
show_layout (Page           *p,
             PangoLayout    *layout,
             double          x,
             double          y,
             const GisColor *color)
{
  if (p->svg != NULL)
    {
      svg_layout (p, layout, x, y, color);
      return;
    }
  cairo_save (p->cr);
  set_source (p->cr, color);
  cairo_move_to (p->cr, x, y);
  pango_cairo_show_layout (p->cr, layout);
  cairo_restore (p->cr);
}

/* One line at (x, y), its left edge (@align 0), centre (0.5) or right
 * edge (1) there. */
static void
show_text (Page           *p,
           const char     *text,
           double          size_pt,
           gboolean        bold,
           double          x,
           double          y,
           double          align,
           const GisColor *color)
{
  g_autoptr(PangoLayout) layout = new_layout (p, text, size_pt, bold);
  double w;

  layout_size (layout, &w, NULL);
  show_layout (p, layout, x - align * w, y, color);
}

/* "2.5" or "2,5" */
static char *
format_number (GisLanguage lang,
               double      v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char *s;

  if (fabs (v - round (v)) < 1e-9 && fabs (v) >= 1000)
    return gis_compose_format_int (lang, (gint64) llround (v));
  g_ascii_formatd (buf, sizeof buf, "%.6g", v);
  s = g_strdup (buf);
  if (lang != GIS_LANGUAGE_EN)
    g_strdelimit (s, ".", ',');
  return s;
}

/* ---- the map frame ----------------------------------------------------- */

static void
pad_tiny_extent (GisExtent *e,
                 gboolean   geographic)
{
  double min_size = geographic ? 0.05 : 5000;

  if (e->max_x - e->min_x < min_size)
    {
      double c = (e->min_x + e->max_x) / 2;

      e->min_x = c - min_size / 2;
      e->max_x = c + min_size / 2;
    }
  if (e->max_y - e->min_y < min_size)
    {
      double c = (e->min_y + e->max_y) / 2;

      e->min_y = c - min_size / 2;
      e->max_y = c + min_size / 2;
    }
}

static gboolean
compute_view (Page     *p,
              GError  **error)
{
  GisComposition *self = p->self;
  g_autoptr(GisViewport) viewport = gis_viewport_new (self->crs);
  int w = MAX (1, (int) p->frame.w), h = MAX (1, (int) p->frame.h);

  gis_viewport_set_size (viewport, w, h);
  if (self->frame_features->len > 0)
    {
      guint index = g_array_index (self->frame_features, guint,
                                   self->atlas_layer != NULL ? p->page : 0);
      GisExtent e;

      gis_layer_data_get_feature_extent (self->frame_data, index, &e);
      pad_tiny_extent (&e, gis_crs_is_geographic (self->crs));
      gis_viewport_fit_extent (viewport, &e, 0.05 * MIN (w, h));
    }
  else if (self->has_extent && self->extent_crs != NULL)
    {
      g_autoptr(GisTransform) t = NULL;
      GisExtent e = self->extent_lonlat;

      if (!gis_crs_equal (self->extent_crs, self->crs))
        {
          t = gis_transform_new (self->extent_crs, self->crs, error);
          if (t == NULL)
            return FALSE;
          if (!gis_transform_bounds (t, &self->extent_lonlat, &e))
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                           _("The extent asked for cannot be shown in %s"), gis_crs_get_name (self->crs));
              return FALSE;
            }
          /* in degrees, a box across the antimeridian wraps (west >
           * east): its larger side */
          if (e.min_x > e.max_x)
            {
              if (180 - e.min_x > e.max_x + 180)
                e.max_x = 180;
              else
                e.min_x = -180;
            }
        }
      gis_viewport_fit_extent (viewport, &e, 0);
    }
  else if (self->has_extent)
    {
      if (!gis_viewport_fit_lonlat (viewport, &self->extent_lonlat, 0))
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                       _("The extent asked for cannot be shown in %s"), gis_crs_get_name (self->crs));
          return FALSE;
        }
    }
  else if (!gis_extent_is_empty (&self->data_extent))
    gis_viewport_fit_extent (viewport, &self->data_extent, 6);
  else
    gis_viewport_fit_lonlat (viewport, &north_america, 6);
  gis_viewport_get_state (viewport, &p->view);
  return TRUE;
}

/* Ground metres per point at the frame's centre, across (a great circle
 * on the sphere of mean radius). */
static double
metres_per_pt (Page *p)
{
  g_autoptr(GisCrs) lonlat = gis_crs_new_storage ();
  g_autoptr(GisTransform) t = gis_transform_new (p->self->crs, lonlat, NULL);
  double d = 50 * p->view.resolution;
  double x1 = p->view.center_x - d, y1 = p->view.center_y;
  double x2 = p->view.center_x + d, y2 = p->view.center_y;
  double phi1, phi2, dphi, dlambda, a;

  if (t == NULL || !gis_transform_point (t, &x1, &y1) || !gis_transform_point (t, &x2, &y2))
    return NAN;
  phi1 = y1 * G_PI / 180;
  phi2 = y2 * G_PI / 180;
  dphi = phi2 - phi1;
  dlambda = (x2 - x1) * G_PI / 180;
  a = sin (dphi / 2) * sin (dphi / 2) + cos (phi1) * cos (phi2) * sin (dlambda / 2) * sin (dlambda / 2);
  return 2 * EARTH_RADIUS_M * asin (MIN (1, sqrt (a))) / 100;
}

/* The angle, clockwise from the page's up, of true north at the frame's
 * centre. */
static double
north_angle (Page *p)
{
  g_autoptr(GisCrs) lonlat = gis_crs_new_storage ();
  g_autoptr(GisTransform) to_ll = gis_transform_new (p->self->crs, lonlat, NULL);
  g_autoptr(GisTransform) from_ll = gis_transform_new (lonlat, p->self->crs, NULL);
  double x = p->view.center_x, y = p->view.center_y, nx, ny;

  if (to_ll == NULL || from_ll == NULL || !gis_transform_point (to_ll, &x, &y))
    return 0;
  nx = x;
  ny = MIN (y + 0.1, 90.0);
  if (ny <= y || !gis_transform_point (from_ll, &nx, &ny))
    return 0;
  return atan2 (nx - p->view.center_x, ny - p->view.center_y);
}

static void
feature_path (Page         *p,
              GisLayerData *data,
              guint         index)
{
  cairo_t *cr = p->cr;
  const double *xs = gis_layer_data_get_x (data), *ys = gis_layer_data_get_y (data);
  GisFeatureKind kind = gis_layer_data_get_feature_kind (data, index);
  guint first_part, n_parts;

  gis_layer_data_get_parts (data, index, &first_part, &n_parts);
  for (guint part = first_part; part < first_part + n_parts; part++)
    {
      guint first, n;

      gis_layer_data_get_part (data, part, &first, &n);
      for (guint k = 0; k < n; k++)
        {
          double px, py;

          gis_view_state_map_to_pixel (&p->view, xs[first + k], ys[first + k], &px, &py);
          if (kind == GIS_FEATURE_POINT)
            {
              cairo_new_sub_path (cr);
              cairo_arc (cr, px, py, 4, 0, 2 * G_PI);
            }
          else if (k == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      if (kind == GIS_FEATURE_POLYGON)
        cairo_close_path (cr);
    }
}

/* The corner of the frame where the locator hides the fewest features:
 * lower left first (the Pacific, in the default CRS), then lower right,
 * upper left, upper right. */
static void
locator_corner (Page   *p,
                double  w,
                double  h,
                double *out_x,
                double *out_y)
{
  GisComposition *self = p->self;
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (guint));
  double margin = 6 * p->u;
  guint best_count = G_MAXUINT;

  *out_x = p->frame.x + margin;
  *out_y = p->frame.y + p->frame.h - h - margin;
  for (int corner = 0; corner < 4; corner++)
    {
      double x = corner % 2 == 0 ? margin : p->frame.w - w - margin;
      double y = corner < 2 ? p->frame.h - h - margin : margin;
      GisExtent box;
      guint count = 0;

      gis_view_state_pixel_to_map (&p->view, x, y + h, &box.min_x, &box.min_y);
      gis_view_state_pixel_to_map (&p->view, x + w, y, &box.max_x, &box.max_y);
      for (guint i = 0; i < self->layers->len && count < best_count; i++)
        {
          GisComposeLayer *cl = g_ptr_array_index (self->layers, i);

          g_array_set_size (hits, 0);
          gis_layer_data_query_box (cl->data, &box, hits);
          count += hits->len;
        }
      if (count < best_count)
        {
          best_count = count;
          *out_x = p->frame.x + x;
          *out_y = p->frame.y + y;
        }
    }
}

static gboolean
draw_locator (Page     *p,
              GError  **error)
{
  GisComposition *self = p->self;
  g_autoptr(GisCrs) lonlat = gis_crs_new_storage ();
  g_autoptr(GisTransform) t = gis_transform_new (lonlat, self->crs, NULL);
  g_autoptr(GisViewport) viewport = gis_viewport_new (self->crs);
  GisViewState inset;
  GisExtent na, shown;
  double w, h, x, y, x0, y0, x1, y1;
  cairo_t *cr = p->cr;

  if (t == NULL || !gis_transform_bounds (t, &north_america, &na))
    return TRUE;
  w = MIN (0.25 * p->frame.w, 150 * p->u);
  h = w * (na.max_y - na.min_y) / (na.max_x - na.min_x);
  if (h > 0.35 * p->frame.h)
    {
      w *= 0.35 * p->frame.h / h;
      h = 0.35 * p->frame.h;
    }
  w = floor (w);
  h = floor (h);
  locator_corner (p, w, h, &x, &y);

  gis_viewport_set_size (viewport, (int) w, (int) h);
  gis_viewport_fit_extent (viewport, &na, 2);
  gis_viewport_get_state (viewport, &inset);

  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  set_source (cr, &white);
  cairo_fill_preserve (cr);
  cairo_clip (cr);
  cairo_translate (cr, x, y);
  if (!gis_render_to_cairo (cr, &inset, &self->locator_render, 1, p->vector, p->cancellable))
    {
      cairo_restore (cr);
      g_cancellable_set_error_if_cancelled (p->cancellable, error);
      return FALSE;
    }

  /* where the map is */
  gis_view_state_get_extent (&p->view, &shown);
  gis_view_state_map_to_pixel (&inset, shown.min_x, shown.max_y, &x0, &y0);
  gis_view_state_map_to_pixel (&inset, shown.max_x, shown.min_y, &x1, &y1);
  cairo_set_source_rgb (cr, 0.85, 0.1, 0.1);
  cairo_set_line_width (cr, 1.2);
  if (x1 - x0 < 3 && y1 - y0 < 3)
    {
      cairo_arc (cr, (x0 + x1) / 2, (y0 + y1) / 2, 2.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  else
    {
      cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  cairo_rectangle (cr, x, y, w, h);
  set_source (cr, &grey_ink);
  cairo_set_line_width (cr, 0.6);
  cairo_stroke (cr);
  return TRUE;
}

static gboolean
draw_frame (Page     *p,
            GError  **error)
{
  GisComposition *self = p->self;
  g_autoptr(GPtrArray) renders = g_ptr_array_new ();
  cairo_t *cr = p->cr;
  gboolean ok;

  for (guint i = 0; i < self->layers->len; i++)
    g_ptr_array_add (renders, ((GisComposeLayer *) g_ptr_array_index (self->layers, i))->render);

  cairo_save (cr);
  cairo_rectangle (cr, p->frame.x, p->frame.y, p->view.width_px, p->view.height_px);
  cairo_clip (cr);
  cairo_translate (cr, p->frame.x, p->frame.y);
  ok = gis_render_to_cairo (cr, &p->view, (GisRenderLayer *const *) renders->pdata, renders->len,
                            p->vector, p->cancellable);
  if (ok && self->frame_features->len > 0)
    {
      /* the feature framed, outlined */
      guint index = g_array_index (self->frame_features, guint,
                                   self->atlas_layer != NULL ? p->page : 0);

      cairo_new_path (cr);
      feature_path (p, self->frame_data, index);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_set_line_width (cr, 3.2);
      cairo_stroke_preserve (cr);
      set_source (cr, &ink);
      cairo_set_line_width (cr, 1.6);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
  if (!ok)
    {
      g_cancellable_set_error_if_cancelled (p->cancellable, error);
      return FALSE;
    }

  if (self->locator_render != NULL && !draw_locator (p, error))
    return FALSE;

  cairo_rectangle (cr, p->frame.x, p->frame.y, p->view.width_px, p->view.height_px);
  set_source (cr, &ink);
  cairo_set_line_width (cr, 0.8);
  cairo_stroke (cr);
  return TRUE;
}

/* ---- the legend -------------------------------------------------------- */

typedef enum
{
  ITEM_LAYER,     /* a layer's name over its classes */
  ITEM_CLASS,     /* a symbol and its label */
  ITEM_RAMP,      /* a heat map's colours */
} ItemKind;

typedef struct
{
  ItemKind        kind;
  char           *text;
  GisSymbol       symbol;
  GisFeatureKind  geometry;
  GisColorRamp    ramp;
} Item;

static void
item_clear (Item *item)
{
  g_free (item->text);
}

static GisFeatureKind
geometry_of (GisLayer *layer)
{
  const char *type = gis_layer_get_geometry_type (layer);

  if (type != NULL && strstr (type, "POINT") != NULL)
    return GIS_FEATURE_POINT;
  if (type != NULL && strstr (type, "LINE") != NULL)
    return GIS_FEATURE_LINE;
  return GIS_FEATURE_POLYGON;
}

/* The legend's entries, the top layer first, as the layer panel lists them. */
static GArray *
legend_items (Page *p)
{
  GisComposition *self = p->self;
  GArray *items = g_array_new (FALSE, TRUE, sizeof (Item));

  g_array_set_clear_func (items, (GDestroyNotify) item_clear);
  for (guint i = self->layers->len; i-- > 0;)
    {
      GisComposeLayer *cl = g_ptr_array_index (self->layers, i);
      GisStyleKind kind = gis_style_get_kind (cl->style);
      GisFeatureKind geometry = geometry_of (cl->layer);
      Item item = { 0 };

      item.geometry = geometry;
      if (kind == GIS_STYLE_SINGLE)
        {
          item.kind = ITEM_CLASS;
          item.text = g_strdup (gis_layer_get_name (cl->layer));
          item.symbol = *gis_style_get_symbol (cl->style);
          g_array_append_val (items, item);
          continue;
        }

      item.kind = ITEM_LAYER;
      if (gis_style_get_field (cl->style) != NULL)
        item.text = g_strdup_printf ("%s (%s)", gis_layer_get_name (cl->layer),
                                     gis_style_get_field (cl->style));
      else
        item.text = g_strdup (gis_layer_get_name (cl->layer));
      g_array_append_val (items, item);

      if (kind == GIS_STYLE_HEATMAP || kind == GIS_STYLE_RASTER)
        {
          Item ramp = { 0 };
          const GisRaster *raster = gis_layer_data_get_raster (cl->data);
          double lo = NAN, hi = NAN;

          ramp.kind = ITEM_RAMP;
          ramp.ramp = gis_style_get_ramp (cl->style);
          /* a raster's values at the ramp's ends, as the renderer spreads them */
          if (kind == GIS_STYLE_RASTER)
            {
              gis_style_get_raster (cl->style, &lo, &hi, NULL, NULL);
              if ((!isfinite (lo) || !isfinite (hi)) && raster != NULL)
                gis_raster_get_range (raster, &lo, &hi);
            }
          if (isfinite (lo) && isfinite (hi))
            {
              g_autofree char *a = format_number (p->lang, lo);
              g_autofree char *b = format_number (p->lang, hi);

              ramp.text = g_strdup_printf ("%s – %s", a, b);
            }
          else
            ramp.text = g_strdup_printf ("%s – %s", gis_compose_tr (p->lang, N_("Low")),
                                         gis_compose_tr (p->lang, N_("High")));
          g_array_append_val (items, ramp);
          continue;
        }

      for (guint c = 0; c < gis_style_get_n_symbols (cl->style); c++)
        {
          Item entry = { 0 };

          entry.kind = ITEM_CLASS;
          entry.geometry = geometry;
          gis_style_get_class_symbol (cl->style, c, &entry.symbol);
          if (kind == GIS_STYLE_CATEGORIZED && c >= gis_style_get_n_categories (cl->style))
            entry.text = g_strdup (gis_compose_tr (p->lang, N_("Other values")));
          else
            entry.text = gis_style_dup_class_label (cl->style, c);
          if (entry.text == NULL)
            entry.text = g_strdup ("");
          g_array_append_val (items, entry);
        }
    }
  return items;
}

static void
marker_path (cairo_t        *cr,
             GisMarkerShape  shape,
             double          r)
{
  switch (shape)
    {
    case GIS_MARKER_SQUARE:
      cairo_rectangle (cr, -r * 0.886, -r * 0.886, r * 1.772, r * 1.772);
      break;
    case GIS_MARKER_TRIANGLE:
      cairo_move_to (cr, 0, -r);
      cairo_line_to (cr, r * 0.866, r * 0.5);
      cairo_line_to (cr, -r * 0.866, r * 0.5);
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
      cairo_rectangle (cr, -r, -r * 0.3, 2 * r, r * 0.6);
      cairo_rectangle (cr, -r * 0.3, -r, r * 0.6, 2 * r);
      break;
    case GIS_MARKER_STAR:
      for (int k = 0; k < 10; k++)
        {
          double a = -G_PI / 2 + k * G_PI / 5, rr = (k % 2) ? r * 0.45 : r;

          if (k == 0)
            cairo_move_to (cr, rr * cos (a), rr * sin (a));
          else
            cairo_line_to (cr, rr * cos (a), rr * sin (a));
        }
      cairo_close_path (cr);
      break;
    case GIS_MARKER_CIRCLE:
    default:
      cairo_arc (cr, 0, 0, r, 0, 2 * G_PI);
      break;
    }
}

static void
set_dash (cairo_t *cr,
          GisDash  dash,
          double   width)
{
  double d[4];

  width = MAX (width, 0.5);
  switch (dash)
    {
    case GIS_DASH_DASHED:
      d[0] = 4 * width, d[1] = 2 * width;
      cairo_set_dash (cr, d, 2, 0);
      break;
    case GIS_DASH_DOTTED:
      d[0] = width, d[1] = 1.5 * width;
      cairo_set_dash (cr, d, 2, 0);
      break;
    case GIS_DASH_DASH_DOT:
      d[0] = 4 * width, d[1] = 1.5 * width, d[2] = width, d[3] = 1.5 * width;
      cairo_set_dash (cr, d, 4, 0);
      break;
    case GIS_DASH_SOLID:
    default:
      cairo_set_dash (cr, NULL, 0, 0);
      break;
    }
}

/* A class's symbol in the box (x, y, w, h). */
static void
draw_swatch (Page       *p,
             const Item *item,
             double      x,
             double      y,
             double      w,
             double      h)
{
  cairo_t *cr = p->cr;
  const GisSymbol *s = &item->symbol;

  cairo_save (cr);
  cairo_new_path (cr);
  switch (item->geometry)
    {
    case GIS_FEATURE_POINT:
      {
        double r = MIN (s->size_px, h * 1.2) / 2;

        cairo_translate (cr, x + w / 2, y + h / 2);
        marker_path (cr, s->shape, r);
        set_source (cr, &s->fill);
        cairo_fill_preserve (cr);
        if (s->stroke_width_px > 0)
          {
            set_source (cr, &s->stroke);
            cairo_set_line_width (cr, s->stroke_width_px);
            cairo_stroke (cr);
          }
        cairo_new_path (cr);
      }
      break;
    case GIS_FEATURE_LINE:
      cairo_move_to (cr, x, y + h / 2);
      cairo_line_to (cr, x + w, y + h / 2);
      set_source (cr, &s->stroke);
      cairo_set_line_width (cr, MAX (s->stroke_width_px, 0.5));
      set_dash (cr, s->dash, s->stroke_width_px);
      cairo_stroke (cr);
      break;
    case GIS_FEATURE_POLYGON:
    case GIS_FEATURE_NONE:
    default:
      cairo_rectangle (cr, x + 0.5, y + 0.5, w - 1, h - 1);
      set_source (cr, &s->fill);
      cairo_fill_preserve (cr);
      if (s->stroke_width_px > 0)
        {
          set_source (cr, &s->stroke);
          cairo_set_line_width (cr, MIN (s->stroke_width_px, 1.5));
          set_dash (cr, s->dash, s->stroke_width_px);
          cairo_stroke (cr);
        }
      cairo_new_path (cr);
      break;
    }
  cairo_restore (cr);
}

static void
draw_ramp (Page         *p,
           GisColorRamp  ramp,
           double        x,
           double        y,
           double        w,
           double        h)
{
  cairo_pattern_t *gradient = cairo_pattern_create_linear (x, 0, x + w, 0);

  for (int k = 0; k <= 8; k++)
    {
      GisColor c;

      gis_color_ramp_sample (ramp, k / 8.0, &c);
      cairo_pattern_add_color_stop_rgba (gradient, k / 8.0, c.r, c.g, c.b, c.a);
    }
  cairo_rectangle (p->cr, x, y, w, h);
  cairo_set_source (p->cr, gradient);
  cairo_fill (p->cr);
  cairo_pattern_destroy (gradient);
}

/* Places the items in @n_cols columns at type size factor @f; returns
 * whether they all fit, and when @draw, draws them (as many as fit). */
static gboolean
flow_legend (Page   *p,
             GArray *items,
             double  top,
             guint   n_cols,
             double  f,
             gboolean draw)
{
  Box *b = &p->legend;
  double gap = 8 * p->u;
  double col_w = (b->w - (n_cols - 1) * gap) / n_cols;
  double swatch_w = 16 * p->u * f, swatch_h = 9 * p->u * f;
  double y = top;
  guint col = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);
      gboolean heading = item->kind == ITEM_LAYER;
      double size = (heading ? 7.5 : 7) * p->u * f;
      double indent = heading ? 0 : swatch_w + 4 * p->u * f;
      g_autoptr(PangoLayout) layout = new_layout (p, "", size, heading);
      double text_h, row_h, x;

      fit_line (layout, item->text, col_w - indent);
      layout_size (layout, NULL, &text_h);
      row_h = MAX (text_h, heading ? 0 : swatch_h) + 2.5 * p->u * f;
      if (heading && i > 0 && y > top)
        y += 2 * p->u * f;
      /* a layer's name goes with its first class */
      if (y + row_h + (heading ? swatch_h : 0) > b->y + b->h && y > top)
        {
          col++;
          y = top;
        }
      if (col >= n_cols)
        return FALSE;
      if (y + row_h > b->y + b->h)
        return FALSE;

      x = b->x + col * (col_w + gap);
      if (draw)
        {
          if (item->kind == ITEM_CLASS)
            draw_swatch (p, item, x, y + (row_h - swatch_h) / 2 - 1.25 * p->u * f, swatch_w, swatch_h);
          else if (item->kind == ITEM_RAMP)
            draw_ramp (p, item->ramp, x, y + (row_h - swatch_h) / 2 - 1.25 * p->u * f, swatch_w, swatch_h);
          show_layout (p, layout, x + indent, y + (row_h - text_h) / 2 - 1.25 * p->u * f, &ink);
        }
      y += row_h;
    }
  return TRUE;
}

/* The legend's height in one column at full size, its heading included. */
static double
legend_height (Page   *p,
               double  width)
{
  g_autoptr(GArray) items = legend_items (p);
  g_autoptr(PangoLayout) heading = new_layout (p, "Legend", 10 * p->u, TRUE);
  double h, swatch_h = 9 * p->u;

  layout_size (heading, NULL, &h);
  h += 4 * p->u;
  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);
      gboolean is_heading = item->kind == ITEM_LAYER;
      g_autoptr(PangoLayout) layout = new_layout (p, item->text, (is_heading ? 7.5 : 7) * p->u, is_heading);
      double text_h;

      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      layout_size (layout, NULL, &text_h);
      h += MAX (text_h, is_heading ? 0 : swatch_h) + 2.5 * p->u;
      if (is_heading && i > 0)
        h += 2 * p->u;
    }
  return h;
}

static void
draw_legend (Page *p)
{
  g_autoptr(GArray) items = legend_items (p);
  g_autoptr(PangoLayout) heading = new_layout (p, gis_compose_tr (p->lang, N_("Legend")),
                                               10 * p->u, TRUE);
  static const double factors[] = { 1.0, 0.85, 0.72, 0.6 };
  double heading_h, top;

  layout_size (heading, NULL, &heading_h);
  show_layout (p, heading, p->legend.x, p->legend.y, &ink);
  top = p->legend.y + heading_h + 4 * p->u;

  for (guint k = 0; k < G_N_ELEMENTS (factors); k++)
    for (guint n_cols = 1; n_cols <= 3; n_cols++)
      {
        if ((p->legend.w - (n_cols - 1) * 8 * p->u) / n_cols < 70 * p->u && n_cols > 1)
          break;
        if (flow_legend (p, items, top, n_cols, factors[k], FALSE))
          {
            flow_legend (p, items, top, n_cols, factors[k], TRUE);
            return;
          }
      }
  /* too many classes: as many as fit at the smallest size */
  flow_legend (p, items, top, p->legend.w >= 2 * 70 * p->u ? 2 : 1,
               factors[G_N_ELEMENTS (factors) - 1], TRUE);
}

/* ---- scale bar and north arrow ----------------------------------------- */

/* The largest 1, 2 or 5 × 10^k not above @v. */
static double
round_down_nice (double v)
{
  double e = pow (10, floor (log10 (v)));
  double m = v / e;

  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * e;
}

/* One bar of @length units, @unit_m metres each, with its labels above
 * (@labels_above) or below. */
static void
draw_bar (Page       *p,
          double      x,
          double      y,
          double      bar_h,
          double      length,
          double      pt_per_unit,
          const char *unit,
          gboolean    labels_above)
{
  cairo_t *cr = p->cr;
  double lead = length / pow (10, floor (log10 (length)));
  int n_seg = lead == 5 ? 5 : 4;
  double seg = length / n_seg, size = 6.5 * p->u;

  for (int k = 0; k < n_seg; k++)
    {
      cairo_rectangle (cr, x + k * seg * pt_per_unit, y, seg * pt_per_unit, bar_h);
      set_source (cr, k % 2 == 0 ? &ink : &white);
      cairo_fill_preserve (cr);
      set_source (cr, &ink);
      cairo_set_line_width (cr, 0.5);
      cairo_stroke (cr);
    }

  for (int k = 0; k <= n_seg; k++)
    {
      g_autofree char *label = NULL;
      double tx = x + k * seg * pt_per_unit, ty;
      g_autoptr(PangoLayout) layout = NULL;
      double th;

      if (!(k == 0 || k == n_seg || (n_seg == 4 && k == 2)))
        continue;
      label = format_number (p->lang, k * seg);
      if (k == n_seg)
        {
          g_autofree char *with_unit = g_strdup_printf ("%s %s", label, unit);

          g_free (label);
          label = g_steal_pointer (&with_unit);
        }
      layout = new_layout (p, label, size, FALSE);
      layout_size (layout, NULL, &th);
      ty = labels_above ? y - th - 0.5 * p->u : y + bar_h + 0.5 * p->u;
      if (k == n_seg)
        {
          g_autofree char *num = format_number (p->lang, k * seg);
          g_autoptr(PangoLayout) number = new_layout (p, num, size, FALSE);
          double num_w;

          /* the number centred on its tick, the unit after it */
          layout_size (number, &num_w, NULL);
          show_layout (p, layout, tx - num_w / 2, ty, &ink);
        }
      else
        show_text (p, label, size, FALSE, tx, ty, 0.5, &ink);
    }
}

static void
draw_scale (Page *p)
{
  Box *b = &p->scale;
  double m_per_pt = metres_per_pt (p);
  double max_len = b->w - 24 * p->u, km, mi, bar_h = 3.5 * p->u;
  double label_h = 9 * p->u;
  g_autofree char *ratio = NULL;
  g_autofree char *text = NULL;

  if (!(m_per_pt > 0) || !isfinite (m_per_pt) || max_len <= 10)
    return;

  km = round_down_nice (max_len * m_per_pt / 1000);
  mi = round_down_nice (max_len * m_per_pt / M_PER_MILE);
  draw_bar (p, b->x + 4 * p->u, b->y + label_h, bar_h, km, 1000 / m_per_pt, "km", TRUE);
  draw_bar (p, b->x + 4 * p->u, b->y + label_h + bar_h + 1.5 * p->u, bar_h, mi, M_PER_MILE / m_per_pt,
            "mi", FALSE);

  /* the representative fraction at the centre, to three digits */
  {
    double n = m_per_pt / M_PER_PT;
    double e = pow (10, MAX (0, floor (log10 (n)) - 2));

    ratio = gis_compose_format_int (p->lang, (gint64) (round (n / e) * e));
  }
  /* Translators: the scale of a printed map, e.g. "Scale 1:12,500,000" */
  text = g_strdup_printf (gis_compose_tr (p->lang, N_("Scale 1:%s")), ratio);
  show_text (p, text, 6.5 * p->u, FALSE, b->x + 4 * p->u,
             b->y + label_h + 2 * bar_h + 1.5 * p->u + 10 * p->u, 0, &grey_ink);
}

static void
draw_north_arrow (Page *p)
{
  cairo_t *cr = p->cr;
  Box *b = &p->arrow;
  double angle = north_angle (p);
  double len = MIN (b->h * 0.62, 34 * p->u), half_w = len * 0.22;
  double cx = b->x + b->w / 2, cy = b->y + b->h / 2 + 5 * p->u;
  double nx, ny;

  cairo_save (cr);
  cairo_translate (cr, cx, cy);
  cairo_rotate (cr, angle);
  /* the left half dark, the right half light, as on a compass */
  cairo_move_to (cr, 0, -len / 2);
  cairo_line_to (cr, -half_w, len / 2);
  cairo_line_to (cr, 0, len / 2 - len * 0.22);
  cairo_close_path (cr);
  set_source (cr, &ink);
  cairo_fill (cr);
  cairo_move_to (cr, 0, -len / 2);
  cairo_line_to (cr, half_w, len / 2);
  cairo_line_to (cr, 0, len / 2 - len * 0.22);
  cairo_close_path (cr);
  set_source (cr, &white);
  cairo_fill_preserve (cr);
  set_source (cr, &ink);
  cairo_set_line_width (cr, 0.6);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
  cairo_restore (cr);

  /* "N" beyond the tip, upright */
  nx = cx + sin (angle) * (len / 2 + 6 * p->u);
  ny = cy - cos (angle) * (len / 2 + 6 * p->u);
  {
    /* Translators: the letter of north on a map's north arrow */
    g_autoptr(PangoLayout) layout = new_layout (p, gis_compose_tr_c (p->lang, "north arrow", NC_("north arrow", "N")),
                                                9 * p->u, TRUE);
    double tw, th;

    layout_size (layout, &tw, &th);
    show_layout (p, layout, nx - tw / 2, ny - th / 2, &ink);
  }
}

/* ---- notes ------------------------------------------------------------- */

static const char *
run_kind_label (GisLanguage  lang,
                const char  *kind)
{
  static const struct
  {
    const char *kind;
    const char *label;
  } kinds[] = {
    { "coverage", N_("Coverage gaps") },
    { "query", N_("Query") },
    { "kde", N_("Kernel density") },
    { "gistar", N_("Hot spots (Getis-Ord Gi*)") },
    { "dbscan", N_("Clusters (DBSCAN)") },
    { "stdbscan", N_("Clusters (ST-DBSCAN)") },
    { "emerging", N_("Emerging hot spots") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kind, kinds[i].kind) == 0)
      return gis_compose_tr (lang, kinds[i].label);
  return kind;
}

/* A value, or an array of values: what a parameter line can show. */
static gboolean
is_plain (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    if (!JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (node), i)))
      return FALSE;
  return TRUE;
}

static void
append_json_value (GString     *out,
                   GisLanguage  lang,
                   JsonNode    *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          if (i == 8)
            {
              g_string_append (out, "…");
              break;
            }
          append_json_value (out, lang, json_array_get_element (array, i));
        }
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? gis_compose_tr (lang, N_("yes"))
                                                         : gis_compose_tr (lang, N_("no")));
      break;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      {
        g_autofree char *s = format_number (lang, json_node_get_double (node));

        g_string_append (out, s);
      }
      break;
    case G_TYPE_STRING:
      g_string_append (out, json_node_get_string (node));
      break;
    default:
      break;
    }
}

/* An analysis that writes several layers records the same run for each:
 * the notes tell it once, naming them all. */
static gboolean
same_run (const GisComposeLayer *a,
          const GisComposeLayer *b)
{
  return a->run_kind != NULL && b->run_kind != NULL &&
         g_str_equal (a->run_kind, b->run_kind) &&
         g_strcmp0 (a->run_started_at, b->run_started_at) == 0 &&
         g_strcmp0 (a->run_params_json, b->run_params_json) == 0 &&
         g_strcmp0 (a->run_inputs_json, b->run_inputs_json) == 0;
}

/* "gaps: service areas, gaps: uncovered areas — Coverage gaps,
 * 2026-11-28: radius_km 50; zone corridor; … Inputs: ports (120)."
 * The parameters are the record's "params" object when it has one (the
 * rest is the run's results), else its plain members. */
static void
append_run (GString         *out,
            GisLanguage      lang,
            GPtrArray       *layers,
            GisComposeLayer *cl)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint n_names = 0, n_params = 0;

  for (guint i = layers->len; i-- > 0;)
    {
      GisComposeLayer *other = g_ptr_array_index (layers, i);

      if (same_run (other, cl))
        g_string_append_printf (out, "%s%s", n_names++ > 0 ? ", " : "", gis_layer_get_name (other->layer));
    }
  g_string_append_printf (out, " — %s", run_kind_label (lang, cl->run_kind));
  if (cl->run_started_at != NULL)
    g_string_append_printf (out, ", %.10s", cl->run_started_at);
  g_string_append (out, ":");

  if (cl->run_params_json != NULL && json_parser_load_from_data (parser, cl->run_params_json, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      g_autoptr(GList) members = NULL;

      if (json_object_has_member (o, "params") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "params")))
        o = json_object_get_object_member (o, "params");
      members = json_object_get_members (o);
      for (GList *m = members; m != NULL && n_params < 16; m = m->next)
        {
          JsonNode *v = json_object_get_member (o, m->data);

          if (!is_plain (v))
            continue;
          g_string_append (out, n_params++ == 0 ? " " : "; ");
          g_string_append_printf (out, "%s ", (const char *) m->data);
          append_json_value (out, lang, v);
        }
    }
  g_string_append (out, ".");

  if (cl->run_inputs_json != NULL && json_parser_load_from_data (parser, cl->run_inputs_json, -1, NULL) &&
      JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      JsonArray *a = json_node_get_array (json_parser_get_root (parser));

      if (json_array_get_length (a) > 0)
        g_string_append_printf (out, " %s", gis_compose_tr (lang, N_("Inputs:")));
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          JsonObject *input;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            continue;
          input = json_node_get_object (e);
          g_string_append_printf (out, "%s%s", i > 0 ? ", " : " ",
                                  json_object_get_string_member_with_default (input, "layer", "?"));
          if (json_object_has_member (input, "feature_count"))
            {
              g_autofree char *n = gis_compose_format_int (lang, json_object_get_int_member (input,
                                                                                           "feature_count"));

              g_string_append_printf (out, " (%s)", n);
            }
        }
      if (json_array_get_length (a) > 0)
        g_string_append (out, ".");
    }
}

/* A preset's label in the export's language, or the CRS's own name. */
static const char *
crs_label (GisLanguage  lang,
           GisCrs      *crs)
{
  guint n;
  const GisCrsPreset *presets = gis_crs_get_presets (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (presets[i].id, gis_crs_get_definition (crs)) == 0)
      return gis_compose_tr (lang, presets[i].label);
  return gis_crs_get_name (crs);
}

static void
add_paragraph (GString       *text,
               PangoAttrList *attrs,
               const char    *label,
               const char    *body)
{
  PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);

  if (text->len > 0)
    g_string_append_c (text, '\n');
  bold->start_index = text->len;
  g_string_append (text, label);
  bold->end_index = text->len;
  pango_attr_list_insert (attrs, bold);
  g_string_append_c (text, ' ');
  g_string_append (text, body);
}

static PangoLayout *
notes_layout (Page    *p,
              double   width,
              GString *text)
{
  GisComposition *self = p->self;
  g_autoptr(GString) sources = g_string_new (NULL);
  g_autoptr(GString) methods = g_string_new (NULL);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *date = NULL;
  PangoAttrList *attrs = pango_attr_list_new ();
  PangoLayout *layout;

  now = self->date != NULL ? g_date_time_ref (self->date) : g_date_time_new_now_utc ();
  date = gis_compose_format_date (p->lang, now);
  add_paragraph (text, attrs, gis_compose_tr (p->lang, N_("Date:")), date);
  add_paragraph (text, attrs, gis_compose_tr (p->lang, N_("Coordinate system:")),
                 crs_label (p->lang, self->crs));

  for (guint i = self->layers->len; i-- > 0;)
    {
      GisComposeLayer *cl = g_ptr_array_index (self->layers, i);
      const char *source = gis_layer_get_source (cl->layer);

      if (sources->len > 0)
        g_string_append (sources, "; ");
      g_string_append (sources, gis_layer_get_name (cl->layer));
      if (source != NULL && *source != '\0' && g_strcmp0 (source, gis_layer_get_name (cl->layer)) != 0)
        g_string_append_printf (sources, " (%s)", source);
      if (cl->run_kind != NULL)
        {
          gboolean told = FALSE;

          /* once per run, naming all its layers */
          for (guint j = i + 1; j < self->layers->len && !told; j++)
            told = same_run (g_ptr_array_index (self->layers, j), cl);
          if (told)
            continue;
          if (methods->len > 0)
            g_string_append (methods, " ");
          append_run (methods, p->lang, self->layers, cl);
        }
    }
  if (sources->len > 0)
    add_paragraph (text, attrs, gis_compose_tr (p->lang, N_("Sources:")), sources->str);
  if (methods->len > 0)
    add_paragraph (text, attrs, gis_compose_tr (p->lang, N_("Method records:")), methods->str);

  layout = new_layout (p, text->str, 6.5 * p->u, FALSE);
  pango_layout_set_attributes (layout, attrs);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_attr_list_unref (attrs);
  return layout;
}

static void
draw_notes (Page *p)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(PangoLayout) layout = notes_layout (p, p->notes.w, text);
  double size = 6.5 * p->u, h;

  layout_size (layout, NULL, &h);

  /* smaller type, then fewer lines, until it fits */
  while (h > p->notes.h && size > 5 * p->u)
    {
      PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

      size -= 0.5 * p->u;
      pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
      pango_layout_set_font_description (layout, font);
      pango_font_description_free (font);
      layout_size (layout, NULL, &h);
    }
  if (h > p->notes.h)
    {
      int n_lines = pango_layout_get_line_count (layout);

      for (int k = n_lines - 1; k > 0 && h > p->notes.h; k--)
        {
          PangoLayoutLine *line = pango_layout_get_line_readonly (layout, k);

          g_string_truncate (text, line->start_index);
          while (text->len > 0 && g_ascii_isspace (text->str[text->len - 1]))
            g_string_truncate (text, text->len - 1);
          g_string_append (text, "…");
          pango_layout_set_text (layout, text->str, -1);
          layout_size (layout, NULL, &h);
        }
    }
  show_layout (p, layout, p->notes.x, p->notes.y, &grey_ink);
}

/* ---- the page ---------------------------------------------------------- */

static gboolean
compute_layout (GisComposition  *self,
                guint            page,
                Page            *p,
                GError         **error)
{
  double m = self->margin_mm * 72.0 / 25.4;
  double cw, ch, y, title_h = 0, subtitle_h = 0, header_h;
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) subtitle = NULL;

  memset (p, 0, sizeof *p);
  p->self = self;
  p->page = page;
  p->lang = self->language;
  p->pango = get_pango_context ();
  gis_composition_get_page_pt (self, &p->page_w, &p->page_h);
  p->u = CLAMP (MIN (p->page_w, p->page_h) / 612.0, 0.9, 1.6);
  cw = p->page_w - 2 * m;
  ch = p->page_h - 2 * m;

  p->title = gis_composition_dup_page_title (self, page);
  if (self->atlas_layer != NULL && self->frame_column >= 0)
    {
      if (self->title != NULL && self->subtitle != NULL)
        p->subtitle = g_strdup_printf ("%s — %s", self->title, self->subtitle);
      else
        p->subtitle = g_strdup (self->title != NULL ? self->title : self->subtitle);
    }
  else
    p->subtitle = g_strdup (self->subtitle);

  title = new_layout (p, p->title, 18 * p->u, TRUE);
  layout_size (title, NULL, &title_h);
  p->title_box = (Box) { m, m, cw, title_h };
  if (p->subtitle != NULL && *p->subtitle != '\0')
    {
      subtitle = new_layout (p, p->subtitle, 11 * p->u, FALSE);
      layout_size (subtitle, NULL, &subtitle_h);
      p->subtitle_box = (Box) { m, m + title_h + 1 * p->u, cw, subtitle_h };
      subtitle_h += 1 * p->u;
    }
  header_h = title_h + subtitle_h + 8 * p->u;
  y = m + header_h;

  if (!self->landscape)
    {
      double legend_w = round (0.52 * cw);
      double right_x = m + legend_w + 12 * p->u, right_w = cw - legend_w - 12 * p->u;
      double arrow_w = 40 * p->u, scale_h = 46 * p->u;
      g_autoptr(GString) notes_text = g_string_new (NULL);
      g_autoptr(PangoLayout) notes = notes_layout (p, right_w, notes_text);
      double notes_h, footer_h;

      /* as tall as the legend or the notes need, within limits: a long
       * legend takes columns or smaller type */
      layout_size (notes, NULL, &notes_h);
      footer_h = MAX (legend_height (p, legend_w), scale_h + 6 * p->u + notes_h) + 2 * p->u;
      footer_h = round (CLAMP (footer_h, 110 * p->u, 0.4 * ch));

      p->frame = (Box) { m, y, floor (cw), floor (ch - header_h - footer_h - 10 * p->u) };
      y = p->frame.y + p->frame.h + 10 * p->u;
      p->legend = (Box) { m, y, legend_w, m + ch - y };
      p->scale = (Box) { right_x, y, right_w - arrow_w, scale_h };
      p->arrow = (Box) { right_x + right_w - arrow_w, y, arrow_w, scale_h };
      p->notes = (Box) { right_x, y + scale_h + 6 * p->u, right_w, m + ch - (y + scale_h + 6 * p->u) };
    }
  else
    {
      double side_w = round (CLAMP (0.27 * cw, 170 * p->u, 280 * p->u));
      double side_x = m + cw - side_w, avail = ch - header_h;
      double arrow_w = 40 * p->u, scale_h = 46 * p->u;
      double legend_h = round (MIN (0.55 * avail, legend_height (p, side_w) + 6 * p->u));

      p->frame = (Box) { m, y, floor (cw - side_w - 12 * p->u), floor (avail) };
      p->legend = (Box) { side_x, y, side_w, legend_h };
      y += legend_h + 6 * p->u;
      p->scale = (Box) { side_x, y, side_w - arrow_w, scale_h };
      p->arrow = (Box) { side_x + side_w - arrow_w, y, arrow_w, scale_h };
      y += scale_h + 6 * p->u;
      p->notes = (Box) { side_x, y, side_w, m + ch - y };
    }

  if (p->frame.w < 20 || p->frame.h < 20)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The margins leave no room for the map on the page"));
      return FALSE;
    }
  return compute_view (p, error);
}

/*
 * gis_compose_draw_page:
 * @svg_text: (nullable): where the page's own text goes, as SVG text
 *   elements, instead of onto @cr
 *
 * Draws page @page of a loaded composition on @cr, whose user space is
 * the page's in points.
 */
gboolean
gis_compose_draw_page (GisComposition  *self,
                       cairo_t         *cr,
                       guint            page,
                       gboolean         vector_output,
                       GString         *svg_text,
                       GCancellable    *cancellable,
                       GError         **error)
{
  Page p;
  gboolean ok;

  if (page >= gis_compose_n_map_pages (self))
    return gis_compose_draw_extra_page (self, cr, page, svg_text, cancellable, error);
  if (!compute_layout (self, page, &p, error))
    {
      page_clear (&p);
      return FALSE;
    }
  p.cr = cr;
  p.vector = vector_output;
  p.svg = svg_text;
  p.cancellable = cancellable;

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, p.page_w, p.page_h);
  set_source (cr, &white);
  cairo_fill (cr);

  ok = draw_frame (&p, error);
  if (ok)
    {
      g_autoptr(PangoLayout) title = new_layout (&p, "", 18 * p.u, TRUE);

      fit_line (title, p.title, p.title_box.w);
      show_layout (&p, title, p.title_box.x, p.title_box.y, &ink);
      if (p.subtitle != NULL && *p.subtitle != '\0')
        {
          g_autoptr(PangoLayout) subtitle = new_layout (&p, "", 11 * p.u, FALSE);

          fit_line (subtitle, p.subtitle, p.subtitle_box.w);
          show_layout (&p, subtitle, p.subtitle_box.x, p.subtitle_box.y, &grey_ink);
        }
      draw_legend (&p);
      draw_scale (&p);
      draw_north_arrow (&p);
      draw_notes (&p);
    }
  cairo_restore (cr);
  page_clear (&p);
  return ok;
}

/**
 * gis_composition_get_map_frame:
 * @self: a loaded composition
 * @page: a page, from 0
 * @out_x_pt: (out): the left edge of the map frame on the page, in points
 * @out_y_pt: (out): its top edge
 * @out_view: (out): what the frame shows: one view pixel is one point
 * @error: return location for an error
 *
 * Where a map coordinate lands on the page: the frame's corner plus
 * gis_view_state_map_to_pixel() of @out_view.
 *
 * Returns: whether the page could be laid out
 */
gboolean
gis_composition_get_map_frame (GisComposition  *self,
                               guint            page,
                               double          *out_x_pt,
                               double          *out_y_pt,
                               GisViewState    *out_view,
                               GError         **error)
{
  Page p;
  gboolean ok;

  g_return_val_if_fail (GIS_IS_COMPOSITION (self), FALSE);
  g_return_val_if_fail (self->loaded, FALSE);
  g_return_val_if_fail (page < gis_composition_get_n_pages (self), FALSE);

  if (page >= gis_compose_n_map_pages (self))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Page %u has no map"), page + 1);
      return FALSE;
    }
  ok = compute_layout (self, page, &p, error);
  if (ok)
    {
      *out_x_pt = p.frame.x;
      *out_y_pt = p.frame.y;
      *out_view = p.view;
    }
  page_clear (&p);
  return ok;
}
