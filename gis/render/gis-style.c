/* gis-style.c: how a layer is drawn
 *
 * A GisStyle is a refcounted value.  Once it is shared (with a render job,
 * a layer, another thread) it does not change: the setters refuse to run
 * unless the caller holds the only reference, so a style editor works on
 * gis_style_copy() and hands the copy over when done.  Its JSON form is
 * what the store keeps in atalaya_layers.style_json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-style"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "gis-error.h"
#include "gis-style.h"

#define STYLE_JSON_VERSION 1

typedef struct
{
  char      *value;
  char      *label;
  GisSymbol  symbol;
} Category;

struct _GisStyle
{
  gint               ref_count;

  GisStyleKind       kind;
  GisSymbol          symbol;      /* single; categorized: all other values; graduated: the base */
  char              *field;       /* categorized, graduated */
  GArray            *categories;  /* Category */
  GisClassifyMethod  method;
  guint              n_classes;
  GisColorRamp       ramp;        /* graduated, heatmap */
  double            *breaks;      /* graduated: n_classes + 1, or NULL before they are computed */
  double             radius_px;   /* heatmap */
  char              *weight_field;/* heatmap, nullable */
  double             value_min;   /* raster: the value at the start of the ramp, NAN: the grid's smallest */
  double             value_max;   /* raster: at its end, NAN: the grid's largest */
  double             cutoff;      /* raster: share of the range drawn transparent, fading in above */
  gboolean           bilinear;    /* raster: interpolate between cell centres */
  GisLabelStyle      label;       /* label.field NULL: no labels */
};

G_DEFINE_BOXED_TYPE (GisStyle, gis_style, gis_style_ref, gis_style_unref)

#define RETURN_IF_SHARED(style) \
  g_return_if_fail (g_atomic_int_get (&(style)->ref_count) == 1)

static void
category_clear (gpointer p)
{
  Category *c = p;

  g_free (c->value);
  g_free (c->label);
}

static void
parse_color_or_die (const char *str,
                    GisColor   *out)
{
  gboolean ok = gis_color_parse (str, out);

  g_assert (ok);
}

/**
 * gis_symbol_init:
 * @symbol: (out caller-allocates): a symbol
 *
 * A grey 6 px circle with a 1 px dark grey outline; solid lines.
 */
void
gis_symbol_init (GisSymbol *symbol)
{
  g_return_if_fail (symbol != NULL);

  parse_color_or_die ("#808080", &symbol->fill);
  parse_color_or_die ("#404040", &symbol->stroke);
  symbol->stroke_width_px = 1.0;
  symbol->size_px = 6.0;
  symbol->shape = GIS_MARKER_CIRCLE;
  symbol->dash = GIS_DASH_SOLID;
}

static GisStyle *
style_alloc (GisStyleKind kind)
{
  GisStyle *self = g_new0 (GisStyle, 1);

  self->ref_count = 1;
  self->kind = kind;
  gis_symbol_init (&self->symbol);
  self->categories = g_array_new (FALSE, TRUE, sizeof (Category));
  g_array_set_clear_func (self->categories, category_clear);
  self->method = GIS_CLASSIFY_QUANTILE;
  self->n_classes = 5;
  self->ramp = GIS_COLOR_RAMP_REDS;
  self->radius_px = 10.0;
  self->label.size_px = 11.0;
  parse_color_or_die ("#202020", &self->label.color);
  parse_color_or_die ("#ffffff", &self->label.halo_color);
  self->label.halo_px = 1.5;
  return self;
}

/**
 * gis_style_new_single:
 * @symbol: (nullable): the symbol; %NULL for gis_symbol_init()'s
 *
 * Returns: (transfer full): a style drawing every feature alike
 */
GisStyle *
gis_style_new_single (const GisSymbol *symbol)
{
  GisStyle *self = style_alloc (GIS_STYLE_SINGLE);

  if (symbol != NULL)
    self->symbol = *symbol;
  return self;
}

/* ColorBrewer Set1 and Dark2, for categories */
static const char *const category_colors[] = {
  "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
  "#f781bf", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
};

/**
 * gis_style_category_color:
 * @index: the category's position
 * @out_color: (out): its colour
 *
 * The colour the @index-th category gets by default: twelve distinct
 * colours, then round again.
 */
void
gis_style_category_color (guint     index,
                          GisColor *out_color)
{
  gis_color_parse (category_colors[index % G_N_ELEMENTS (category_colors)], out_color);
}

/**
 * gis_style_new_categorized:
 * @field: the field whose values pick the symbol
 * @other: (nullable): the symbol of all values without a category
 *
 * Add the categories with gis_style_add_category().
 *
 * Returns: (transfer full): a categorized style
 */
GisStyle *
gis_style_new_categorized (const char      *field,
                           const GisSymbol *other)
{
  GisStyle *self;

  g_return_val_if_fail (field != NULL, NULL);

  self = style_alloc (GIS_STYLE_CATEGORIZED);
  self->field = g_strdup (field);
  if (other != NULL)
    self->symbol = *other;
  return self;
}

/**
 * gis_style_new_graduated:
 * @field: a numeric field
 * @method: how to place the breaks
 * @n_classes: number of classes, 1 to %GIS_CLASSIFY_MAX_CLASSES
 * @ramp: the colours of the classes, first class at the start of the ramp
 * @base: (nullable): the symbol whose fill the ramp replaces (and its
 *   outline too when the fill is fully transparent, as for lines)
 *
 * The breaks are computed by gis_style_compute_breaks() or given with
 * gis_style_set_breaks(); until then gis_style_classify() computes them
 * on the fly from the data it classifies.
 *
 * Returns: (transfer full): a graduated style
 */
GisStyle *
gis_style_new_graduated (const char        *field,
                         GisClassifyMethod  method,
                         guint              n_classes,
                         GisColorRamp       ramp,
                         const GisSymbol   *base)
{
  GisStyle *self;

  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (n_classes >= 1 && n_classes <= GIS_CLASSIFY_MAX_CLASSES, NULL);
  g_return_val_if_fail ((guint) ramp < GIS_N_COLOR_RAMPS, NULL);

  self = style_alloc (GIS_STYLE_GRADUATED);
  self->field = g_strdup (field);
  self->method = method;
  self->n_classes = n_classes;
  self->ramp = ramp;
  if (base != NULL)
    self->symbol = *base;
  return self;
}

/**
 * gis_style_new_heatmap:
 * @radius_px: kernel radius in pixels of the view
 * @ramp: colours from low to high density
 * @weight_field: (nullable): a numeric field weighting each point; %NULL
 *   for a weight of 1
 *
 * Returns: (transfer full): a heat map style
 */
GisStyle *
gis_style_new_heatmap (double        radius_px,
                       GisColorRamp  ramp,
                       const char   *weight_field)
{
  GisStyle *self;

  g_return_val_if_fail (radius_px >= 1 && radius_px <= 500, NULL);
  g_return_val_if_fail ((guint) ramp < GIS_N_COLOR_RAMPS, NULL);

  self = style_alloc (GIS_STYLE_HEATMAP);
  self->radius_px = radius_px;
  self->ramp = ramp;
  self->weight_field = g_strdup (weight_field);
  return self;
}

/**
 * gis_style_new_raster:
 * @ramp: colours from low to high values
 * @value_min: the value at the start of the ramp, or NAN for the grid's smallest
 * @value_max: the value at its end, or NAN for the grid's largest
 * @cutoff: the share of the range, from its low end, drawn transparent
 *   (0 to 1); values just above fade in
 * @bilinear: sample between cell centres rather than the nearest cell
 *
 * The style of a raster layer: each pixel of the view takes the colour of
 * the grid's value under it.  Nodata is never drawn.
 *
 * Returns: (transfer full): a raster style
 */
GisStyle *
gis_style_new_raster (GisColorRamp  ramp,
                      double        value_min,
                      double        value_max,
                      double        cutoff,
                      gboolean      bilinear)
{
  GisStyle *self;

  g_return_val_if_fail ((guint) ramp < GIS_N_COLOR_RAMPS, NULL);
  g_return_val_if_fail (cutoff >= 0 && cutoff <= 1, NULL);

  self = style_alloc (GIS_STYLE_RASTER);
  self->ramp = ramp;
  self->value_min = value_min;
  self->value_max = value_max;
  self->cutoff = cutoff;
  self->bilinear = bilinear;
  return self;
}

/**
 * gis_style_get_raster:
 * @style: a raster style
 * @out_min: (out) (optional): the value at the start of the ramp (NAN: the grid's smallest)
 * @out_max: (out) (optional): the value at its end (NAN: the grid's largest)
 * @out_cutoff: (out) (optional): the share of the range drawn transparent
 * @out_bilinear: (out) (optional): whether to interpolate
 */
void
gis_style_get_raster (GisStyle *style,
                      double   *out_min,
                      double   *out_max,
                      double   *out_cutoff,
                      gboolean *out_bilinear)
{
  g_return_if_fail (style != NULL);

  if (out_min != NULL)
    *out_min = style->value_min;
  if (out_max != NULL)
    *out_max = style->value_max;
  if (out_cutoff != NULL)
    *out_cutoff = style->cutoff;
  if (out_bilinear != NULL)
    *out_bilinear = style->bilinear;
}

/**
 * gis_style_ref:
 *
 * Returns: (transfer full): @style; once it has two references its
 *   setters refuse to run
 */
GisStyle *
gis_style_ref (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_atomic_int_inc (&style->ref_count);
  return style;
}

void
gis_style_unref (GisStyle *style)
{
  g_return_if_fail (style != NULL);

  if (!g_atomic_int_dec_and_test (&style->ref_count))
    return;
  g_free (style->field);
  g_array_unref (style->categories);
  g_free (style->breaks);
  g_free (style->weight_field);
  g_free (style->label.field);
  g_free (style);
}

/**
 * gis_style_copy:
 * @style: a style
 *
 * Returns: (transfer full): a deep copy that the caller alone holds, so
 *   its setters work
 */
GisStyle *
gis_style_copy (GisStyle *style)
{
  GisStyle *copy;

  g_return_val_if_fail (style != NULL, NULL);

  copy = style_alloc (style->kind);
  copy->symbol = style->symbol;
  copy->field = g_strdup (style->field);
  for (guint i = 0; i < style->categories->len; i++)
    {
      const Category *c = &g_array_index (style->categories, Category, i);
      Category d = { g_strdup (c->value), g_strdup (c->label), c->symbol };

      g_array_append_val (copy->categories, d);
    }
  copy->method = style->method;
  copy->n_classes = style->n_classes;
  copy->ramp = style->ramp;
  if (style->breaks != NULL)
    copy->breaks = g_memdup2 (style->breaks, sizeof (double) * (style->n_classes + 1));
  copy->radius_px = style->radius_px;
  copy->weight_field = g_strdup (style->weight_field);
  copy->value_min = style->value_min;
  copy->value_max = style->value_max;
  copy->cutoff = style->cutoff;
  copy->bilinear = style->bilinear;
  copy->label = style->label;
  copy->label.field = g_strdup (style->label.field);
  return copy;
}

/* ---- defaults ------------------------------------------------------------ */

typedef enum
{
  GEOM_POINT,
  GEOM_LINE,
  GEOM_POLYGON,
  GEOM_ANY,
} GeomClass;

static GeomClass
geom_class (const char *geometry_type)
{
  if (geometry_type == NULL)
    return GEOM_ANY;
  if (g_str_has_suffix (geometry_type, "POINT"))
    return GEOM_POINT;
  if (g_str_has_suffix (geometry_type, "LINESTRING"))
    return GEOM_LINE;
  if (g_str_has_suffix (geometry_type, "POLYGON"))
    return GEOM_POLYGON;
  return GEOM_ANY;
}

static void
darken (const GisColor *in,
        double          f,
        GisColor       *out)
{
  out->r = in->r * f;
  out->g = in->g * f;
  out->b = in->b * f;
  out->a = 1.0;
}

/* A symbol of one colour suited to the geometry: a marker with a white
 * outline, a line, or a translucent fill with a darker outline. */
static void
symbol_in_color (const GisColor *color,
                 GeomClass       geom,
                 GisSymbol      *symbol)
{
  gis_symbol_init (symbol);
  symbol->fill = *color;
  switch (geom)
    {
    case GEOM_POINT:
      parse_color_or_die ("#ffffff", &symbol->stroke);
      symbol->stroke_width_px = 0.8;
      symbol->size_px = 7.0;
      break;

    case GEOM_LINE:
      symbol->stroke = *color;
      symbol->stroke_width_px = 1.5;
      symbol->fill.a = 0;
      break;

    case GEOM_POLYGON:
    case GEOM_ANY:
    default:
      symbol->fill.a = 0.4;
      darken (color, 0.75, &symbol->stroke);
      symbol->stroke_width_px = 1.0;
      break;
    }
}

/**
 * gis_style_new_default:
 * @layer: a layer of a store
 *
 * The style a layer gets before the user styles it, by its role and
 * geometry type: ports are dark red triangles with a white outline
 * (%GIS_STYLE_PORT_FILL, %GIS_STYLE_PORT_SIZE_PX), facilities purple
 * squares, incidents translucent orange circles, habitat translucent
 * green with a dark green outline, boundary polygons a very light fill
 * with a grey outline and boundary lines dark red and dashed, results
 * blue, resources teal, zones a yellow outline; any other layer a colour
 * whose hue comes from a hash of the layer's name (the same name always
 * gets the same colour).
 *
 * Returns: (transfer full): a single-symbol style
 */
GisStyle *
gis_style_new_default (GisLayer *layer)
{
  GeomClass geom;
  GisSymbol s;
  GisColor c;

  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);

  if (g_strcmp0 (gis_layer_get_geometry_type (layer), GIS_RASTER_GEOMETRY_TYPE) == 0)
    return gis_style_new_raster (GIS_COLOR_RAMP_YLORRD, NAN, NAN, GIS_STYLE_RASTER_CUTOFF, TRUE);

  geom = geom_class (gis_layer_get_geometry_type (layer));
  gis_symbol_init (&s);

  switch (gis_layer_get_role (layer))
    {
    case GIS_LAYER_ROLE_PORT:
      parse_color_or_die (GIS_STYLE_PORT_FILL, &c);
      symbol_in_color (&c, geom, &s);
      if (geom == GEOM_POINT)
        {
          s.shape = GIS_MARKER_TRIANGLE;
          s.size_px = GIS_STYLE_PORT_SIZE_PX;
          parse_color_or_die (GIS_STYLE_PORT_STROKE, &s.stroke);
          s.stroke_width_px = 1.0;
        }
      break;

    case GIS_LAYER_ROLE_FACILITY:
      parse_color_or_die (GIS_STYLE_FACILITY_FILL, &c);
      symbol_in_color (&c, geom, &s);
      if (geom == GEOM_POINT)
        {
          s.shape = GIS_MARKER_SQUARE;
          s.size_px = GIS_STYLE_FACILITY_SIZE_PX;
          s.stroke_width_px = 0;
        }
      break;

    case GIS_LAYER_ROLE_INCIDENT:
      parse_color_or_die (GIS_STYLE_INCIDENT_FILL, &c);
      symbol_in_color (&c, geom, &s);
      if (geom == GEOM_POINT)
        {
          s.fill = c;
          s.shape = GIS_MARKER_CIRCLE;
          s.size_px = GIS_STYLE_INCIDENT_SIZE_PX;
          s.stroke_width_px = 0;
        }
      break;

    case GIS_LAYER_ROLE_HABITAT:
      parse_color_or_die (GIS_STYLE_HABITAT_FILL, &c);
      symbol_in_color (&c, geom, &s);
      if (geom != GEOM_POINT)
        {
          s.fill = c;
          parse_color_or_die (GIS_STYLE_HABITAT_STROKE, &s.stroke);
          s.stroke_width_px = 1.0;
        }
      break;

    case GIS_LAYER_ROLE_BOUNDARY:
      if (geom == GEOM_LINE)
        {
          parse_color_or_die (GIS_STYLE_BOUNDARY_LINE, &c);
          symbol_in_color (&c, geom, &s);
          s.dash = GIS_DASH_DASHED;
          s.stroke_width_px = 1.5;
        }
      else
        {
          parse_color_or_die (GIS_STYLE_BOUNDARY_STROKE, &c);
          symbol_in_color (&c, geom, &s);
          if (geom != GEOM_POINT)
            {
              parse_color_or_die (GIS_STYLE_BOUNDARY_FILL, &s.fill);
              s.stroke = c;
              s.stroke_width_px = 0.8;
            }
        }
      break;

    case GIS_LAYER_ROLE_RESULT:
      parse_color_or_die (GIS_STYLE_RESULT_COLOR, &c);
      symbol_in_color (&c, geom, &s);
      if (geom == GEOM_LINE)
        s.stroke_width_px = 2.0;
      break;

    case GIS_LAYER_ROLE_RESOURCE:
      parse_color_or_die (GIS_STYLE_RESOURCE_COLOR, &c);
      symbol_in_color (&c, geom, &s);
      if (geom == GEOM_POINT)
        {
          s.shape = GIS_MARKER_DIAMOND;
          s.size_px = 9.0;
          s.stroke_width_px = 1.0;
        }
      break;

    case GIS_LAYER_ROLE_ZONE:
      parse_color_or_die (GIS_STYLE_ZONE_STROKE, &c);
      symbol_in_color (&c, geom, &s);
      if (geom != GEOM_POINT)
        {
          s.fill.a = 0;
          s.stroke = c;
          s.stroke_width_px = 2.0;
        }
      else
        parse_color_or_die ("#5c4a00", &s.stroke);
      break;

    case GIS_LAYER_ROLE_OTHER:
    default:
      {
        const char *name = gis_layer_get_name (layer);
        guint32 h = 5381;

        /* djb2, spelled out so that the colour never depends on GLib's
         * choice of hash */
        for (const char *p = name != NULL ? name : ""; *p != '\0'; p++)
          h = h * 33 + (guchar) *p;
        gis_color_from_hsv (h % 360, 0.65, 0.80, 1.0, &c);
        symbol_in_color (&c, geom, &s);
      }
      break;
    }

  return gis_style_new_single (&s);
}

/* ---- accessors ----------------------------------------------------------- */

GisStyleKind
gis_style_get_kind (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, GIS_STYLE_SINGLE);
  return style->kind;
}

/**
 * gis_style_get_field:
 *
 * Returns: (transfer none) (nullable): the field of a categorized or
 *   graduated style
 */
const char *
gis_style_get_field (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return style->field;
}

/**
 * gis_style_get_symbol:
 *
 * Returns: (transfer none): the symbol of a single style, the symbol of
 *   "all other values" of a categorized one, the base symbol of a
 *   graduated one, the symbol of selected points of a heat map
 */
const GisSymbol *
gis_style_get_symbol (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return &style->symbol;
}

/**
 * gis_style_set_symbol:
 * @style: a style the caller alone holds
 * @symbol: see gis_style_get_symbol()
 */
void
gis_style_set_symbol (GisStyle        *style,
                      const GisSymbol *symbol)
{
  g_return_if_fail (style != NULL);
  g_return_if_fail (symbol != NULL);
  RETURN_IF_SHARED (style);

  style->symbol = *symbol;
}

guint
gis_style_get_n_categories (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, 0);
  return style->categories->len;
}

/**
 * gis_style_add_category:
 * @style: a categorized style the caller alone holds
 * @value: the field value, as text (numbers as they print: "3", "2.5")
 * @label: (nullable): the legend's text; %NULL for @value
 * @symbol: the symbol
 *
 * Adds a category, or replaces the one of the same value.
 */
void
gis_style_add_category (GisStyle        *style,
                        const char      *value,
                        const char      *label,
                        const GisSymbol *symbol)
{
  Category c;

  g_return_if_fail (style != NULL);
  g_return_if_fail (value != NULL);
  g_return_if_fail (symbol != NULL);
  RETURN_IF_SHARED (style);

  for (guint i = 0; i < style->categories->len; i++)
    {
      Category *old = &g_array_index (style->categories, Category, i);

      if (strcmp (old->value, value) == 0)
        {
          g_free (old->label);
          old->label = g_strdup (label);
          old->symbol = *symbol;
          return;
        }
    }
  c.value = g_strdup (value);
  c.label = g_strdup (label);
  c.symbol = *symbol;
  g_array_append_val (style->categories, c);
}

void
gis_style_clear_categories (GisStyle *style)
{
  g_return_if_fail (style != NULL);
  RETURN_IF_SHARED (style);

  g_array_set_size (style->categories, 0);
}

/**
 * gis_style_get_category_value:
 *
 * Returns: (transfer none): the field value of category @i, as text
 */
const char *
gis_style_get_category_value (GisStyle *style,
                              guint     i)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (i < style->categories->len, NULL);
  return g_array_index (style->categories, Category, i).value;
}

/**
 * gis_style_get_category_label:
 *
 * Returns: (transfer none): the label, or the value when it has none
 */
const char *
gis_style_get_category_label (GisStyle *style,
                              guint     i)
{
  const Category *c;

  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (i < style->categories->len, NULL);
  c = &g_array_index (style->categories, Category, i);
  return c->label != NULL ? c->label : c->value;
}

/**
 * gis_style_get_category_symbol:
 *
 * Returns: (transfer none): the symbol of category @i
 */
const GisSymbol *
gis_style_get_category_symbol (GisStyle *style,
                               guint     i)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (i < style->categories->len, NULL);
  return &g_array_index (style->categories, Category, i).symbol;
}

GisClassifyMethod
gis_style_get_method (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, GIS_CLASSIFY_QUANTILE);
  return style->method;
}

/**
 * gis_style_get_n_classes:
 *
 * Returns: the number of classes of a graduated style
 */
guint
gis_style_get_n_classes (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, 0);
  return style->n_classes;
}

GisColorRamp
gis_style_get_ramp (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, GIS_COLOR_RAMP_REDS);
  return style->ramp;
}

/**
 * gis_style_get_breaks:
 * @style: a graduated style
 * @out_n_breaks: (out): n_classes + 1, or 0 before the breaks are known
 *
 * Returns: (transfer none) (nullable) (array length=out_n_breaks): the
 *   breaks
 */
const double *
gis_style_get_breaks (GisStyle *style,
                      guint    *out_n_breaks)
{
  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (out_n_breaks != NULL, NULL);

  *out_n_breaks = style->breaks != NULL ? style->n_classes + 1 : 0;
  return style->breaks;
}

/**
 * gis_style_set_breaks:
 * @style: a graduated style the caller alone holds
 * @breaks: (array length=n_breaks) (nullable): ascending breaks
 * @n_breaks: 2 to %GIS_CLASSIFY_MAX_CLASSES + 1; it sets the number of
 *   classes to @n_breaks - 1; 0 forgets the breaks
 */
void
gis_style_set_breaks (GisStyle     *style,
                      const double *breaks,
                      guint         n_breaks)
{
  g_return_if_fail (style != NULL);
  g_return_if_fail (n_breaks == 0 || (n_breaks >= 2 && n_breaks <= GIS_CLASSIFY_MAX_CLASSES + 1));
  g_return_if_fail (n_breaks == 0 || breaks != NULL);
  RETURN_IF_SHARED (style);

  g_clear_pointer (&style->breaks, g_free);
  if (n_breaks == 0)
    return;
  style->breaks = g_memdup2 (breaks, sizeof (double) * n_breaks);
  style->n_classes = n_breaks - 1;
}

static gboolean
field_numbers (GisStyle      *style,
               GisLayerData  *data,
               const char    *field,
               const double **out,
               GError       **error)
{
  int col = gis_layer_data_find_column (data, field);

  if (col < 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("The field “%s” of the style was not loaded"), field);
      return FALSE;
    }
  if (gis_layer_data_get_column_kind (data, (guint) col) != GIS_COLUMN_NUMERIC)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The field “%s” is not numeric"), field);
      return FALSE;
    }
  *out = gis_layer_data_get_numbers (data, (guint) col);
  return TRUE;
}

/**
 * gis_style_compute_breaks:
 * @style: a graduated style the caller alone holds
 * @data: layer data with the style's field loaded
 * @error: return location for a #GIS_ERROR_NOT_FOUND (field not loaded)
 *   or #GIS_ERROR_INVALID_INPUT (not numeric, no values) error
 *
 * Computes and stores the breaks of the style's method and class count
 * over the field's values (NULL values ignored).
 *
 * Returns: %TRUE on success
 */
gboolean
gis_style_compute_breaks (GisStyle      *style,
                          GisLayerData  *data,
                          GError       **error)
{
  const double *values;
  g_autofree double *breaks = NULL;

  g_return_val_if_fail (style != NULL, FALSE);
  g_return_val_if_fail (style->kind == GIS_STYLE_GRADUATED, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (g_atomic_int_get (&style->ref_count) == 1, FALSE);

  if (!field_numbers (style, data, style->field, &values, error))
    return FALSE;

  breaks = g_new (double, style->n_classes + 1);
  if (!gis_classify_breaks (values, gis_layer_data_get_n_features (data), style->method,
                            style->n_classes, breaks))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The field “%s” has no values to classify"), style->field);
      return FALSE;
    }
  g_free (style->breaks);
  style->breaks = g_steal_pointer (&breaks);
  return TRUE;
}

double
gis_style_get_radius_px (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, 0);
  return style->radius_px;
}

/**
 * gis_style_get_weight_field:
 *
 * Returns: (transfer none) (nullable): the weight field of a heat map
 */
const char *
gis_style_get_weight_field (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return style->weight_field;
}

/**
 * gis_style_get_label:
 *
 * Returns: (transfer none): how features are labelled; its field is
 *   %NULL when they are not
 */
const GisLabelStyle *
gis_style_get_label (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);
  return &style->label;
}

/**
 * gis_style_set_label:
 * @style: a style the caller alone holds
 * @field: (nullable): the labels' field; %NULL removes the labels
 * @size_px: font size
 * @color: (nullable): text colour; %NULL keeps it
 * @halo_color: (nullable): halo colour; %NULL keeps it
 * @halo_px: halo width, 0 for none
 */
void
gis_style_set_label (GisStyle       *style,
                     const char     *field,
                     double          size_px,
                     const GisColor *color,
                     const GisColor *halo_color,
                     double          halo_px)
{
  g_return_if_fail (style != NULL);
  g_return_if_fail (size_px > 0 && size_px <= 500);
  g_return_if_fail (halo_px >= 0 && halo_px <= 50);
  RETURN_IF_SHARED (style);

  g_free (style->label.field);
  style->label.field = g_strdup (field);
  style->label.size_px = size_px;
  if (color != NULL)
    style->label.color = *color;
  if (halo_color != NULL)
    style->label.halo_color = *halo_color;
  style->label.halo_px = halo_px;
}

/**
 * gis_style_dup_fields:
 *
 * The fields gis_layer_data_load() must keep for this style: the
 * classification field, the heat map weight, the label field.
 *
 * Returns: (transfer full) (array zero-terminated=1): the field names
 */
char **
gis_style_dup_fields (GisStyle *style)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  const char *fields[3];

  g_return_val_if_fail (style != NULL, NULL);

  fields[0] = style->kind == GIS_STYLE_CATEGORIZED || style->kind == GIS_STYLE_GRADUATED ?
              style->field : NULL;
  fields[1] = style->kind == GIS_STYLE_HEATMAP ? style->weight_field : NULL;
  fields[2] = style->label.field;
  for (guint i = 0; i < 3; i++)
    {
      gboolean dup = FALSE;

      if (fields[i] == NULL)
        continue;
      for (guint j = 0; j < i; j++)
        dup |= g_strcmp0 (fields[i], fields[j]) == 0;
      if (!dup)
        g_strv_builder_add (b, fields[i]);
    }
  return g_strv_builder_end (b);
}

/**
 * gis_style_get_n_symbols:
 *
 * Returns: the number of classes gis_style_classify() assigns: 1 for a
 *   single style or a heat map, the categories + 1 ("all other values",
 *   last) for a categorized one, the classes of a graduated one
 */
guint
gis_style_get_n_symbols (GisStyle *style)
{
  g_return_val_if_fail (style != NULL, 0);

  switch (style->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      return style->categories->len + 1;
    case GIS_STYLE_GRADUATED:
      return style->n_classes;
    case GIS_STYLE_SINGLE:
    case GIS_STYLE_HEATMAP:
    case GIS_STYLE_RASTER:
    default:
      return 1;
    }
}

/**
 * gis_style_get_class_symbol:
 * @style: a style
 * @class_index: below gis_style_get_n_symbols()
 * @out_symbol: (out caller-allocates): the symbol of the class
 */
void
gis_style_get_class_symbol (GisStyle  *style,
                            guint      class_index,
                            GisSymbol *out_symbol)
{
  g_return_if_fail (style != NULL);
  g_return_if_fail (out_symbol != NULL);

  *out_symbol = style->symbol;
  switch (style->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      if (class_index < style->categories->len)
        *out_symbol = g_array_index (style->categories, Category, class_index).symbol;
      break;

    case GIS_STYLE_GRADUATED:
      {
        double t = style->n_classes > 1 ? (double) class_index / (style->n_classes - 1) : 1.0;
        GisColor c;

        gis_color_ramp_sample (style->ramp, t, &c);
        if (style->symbol.fill.a > 0)
          {
            c.a = style->symbol.fill.a;
            out_symbol->fill = c;
          }
        else
          {
            c.a = style->symbol.stroke.a;
            out_symbol->stroke = c;
          }
      }
      break;

    case GIS_STYLE_SINGLE:
    case GIS_STYLE_HEATMAP:
    case GIS_STYLE_RASTER:
    default:
      break;
    }
}

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/**
 * gis_style_dup_class_label:
 *
 * Returns: (transfer full) (nullable): the legend text of a class:
 *   the category's label, "Other values", or "low – high" of a graduated
 *   class; %NULL for a single style
 */
char *
gis_style_dup_class_label (GisStyle *style,
                           guint     class_index)
{
  g_return_val_if_fail (style != NULL, NULL);

  switch (style->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      if (class_index < style->categories->len)
        return g_strdup (gis_style_get_category_label (style, class_index));
      return g_strdup (_("Other values"));

    case GIS_STYLE_GRADUATED:
      if (style->breaks != NULL && class_index < style->n_classes)
        {
          g_autofree char *lo = format_number (style->breaks[class_index]);
          g_autofree char *hi = format_number (style->breaks[class_index + 1]);

          return g_strdup_printf ("%s – %s", lo, hi);
        }
      return NULL;

    case GIS_STYLE_SINGLE:
    case GIS_STYLE_HEATMAP:
    case GIS_STYLE_RASTER:
    default:
      return NULL;
    }
}

/**
 * gis_style_classify:
 * @style: a style
 * @data: layer data with the style's fields loaded (gis_style_dup_fields())
 * @error: return location for a #GIS_ERROR_NOT_FOUND error (field not
 *   loaded) or #GIS_ERROR_INVALID_INPUT (a graduated style on text)
 *
 * The class of every feature: an index below gis_style_get_n_symbols(),
 * or %GIS_STYLE_CLASS_NONE for features not drawn (a graduated style's
 * NULL values).  Categorized: a text field matches a category's value
 * exactly; a numeric one matches a category whose value reads as the
 * same number; NULL and unmatched values take "all other values".
 * Graduated: gis_classify_find_class() over the style's breaks, or over
 * breaks computed from @data when the style has none yet.
 *
 * Returns: (transfer full) (array): one class per feature of @data
 */
guint16 *
gis_style_classify (GisStyle      *style,
                    GisLayerData  *data,
                    GError       **error)
{
  guint n;
  g_autofree guint16 *classes = NULL;

  g_return_val_if_fail (style != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  n = gis_layer_data_get_n_features (data);
  classes = g_new0 (guint16, MAX (n, 1));

  switch (style->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      {
        int col = gis_layer_data_find_column (data, style->field);
        guint16 other = (guint16) style->categories->len;

        if (col < 0)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                         _("The field “%s” of the style was not loaded"), style->field);
            return NULL;
          }
        if (gis_layer_data_get_column_kind (data, (guint) col) == GIS_COLUMN_TEXT)
          {
            const guint32 *ids = gis_layer_data_get_string_ids (data, (guint) col);
            guint n_strings = gis_layer_data_get_n_strings (data, (guint) col);
            g_autofree guint16 *by_id = g_new (guint16, MAX (n_strings, 1));

            for (guint s = 0; s < n_strings; s++)
              {
                const char *text = gis_layer_data_get_string (data, (guint) col, s);

                by_id[s] = other;
                for (guint c = 0; c < style->categories->len; c++)
                  if (strcmp (g_array_index (style->categories, Category, c).value, text) == 0)
                    {
                      by_id[s] = (guint16) c;
                      break;
                    }
              }
            for (guint i = 0; i < n; i++)
              classes[i] = ids[i] == GIS_LAYER_DATA_NULL_STRING ? other : by_id[ids[i]];
          }
        else
          {
            const double *values = gis_layer_data_get_numbers (data, (guint) col);
            g_autoptr(GHashTable) by_value = g_hash_table_new_full (g_double_hash, g_double_equal,
                                                                    g_free, NULL);

            for (guint c = style->categories->len; c-- > 0;)
              {
                const char *text = g_array_index (style->categories, Category, c).value;
                char *end = NULL;
                double v = g_ascii_strtod (text, &end);

                if (end != text && *end == '\0' && !isnan (v))
                  g_hash_table_insert (by_value, g_memdup2 (&v, sizeof v), GUINT_TO_POINTER (c + 1));
              }
            for (guint i = 0; i < n; i++)
              {
                gpointer found = isnan (values[i]) ? NULL : g_hash_table_lookup (by_value, &values[i]);

                classes[i] = found != NULL ? (guint16) (GPOINTER_TO_UINT (found) - 1) : other;
              }
          }
      }
      break;

    case GIS_STYLE_GRADUATED:
      {
        const double *values;
        g_autofree double *computed = NULL;
        const double *breaks = style->breaks;

        if (!field_numbers (style, data, style->field, &values, error))
          return NULL;
        if (breaks == NULL)
          {
            computed = g_new (double, style->n_classes + 1);
            if (!gis_classify_breaks (values, n, style->method, style->n_classes, computed))
              {
                for (guint i = 0; i < n; i++)
                  classes[i] = GIS_STYLE_CLASS_NONE;
                break;
              }
            breaks = computed;
          }
        for (guint i = 0; i < n; i++)
          {
            guint c = gis_classify_find_class (breaks, style->n_classes, values[i]);

            classes[i] = c == G_MAXUINT ? GIS_STYLE_CLASS_NONE : (guint16) c;
          }
      }
      break;

    case GIS_STYLE_SINGLE:
    case GIS_STYLE_HEATMAP:
    case GIS_STYLE_RASTER:
    default:
      break;
    }

  return g_steal_pointer (&classes);
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *const kind_ids[] = {
  [GIS_STYLE_SINGLE] = "single",
  [GIS_STYLE_CATEGORIZED] = "categorized",
  [GIS_STYLE_GRADUATED] = "graduated",
  [GIS_STYLE_HEATMAP] = "heatmap",
  [GIS_STYLE_RASTER] = "raster",
};

static const char *const shape_ids[] = {
  [GIS_MARKER_CIRCLE] = "circle",
  [GIS_MARKER_SQUARE] = "square",
  [GIS_MARKER_TRIANGLE] = "triangle",
  [GIS_MARKER_DIAMOND] = "diamond",
  [GIS_MARKER_CROSS] = "cross",
  [GIS_MARKER_STAR] = "star",
};

static const char *const dash_ids[] = {
  [GIS_DASH_SOLID] = "solid",
  [GIS_DASH_DASHED] = "dashed",
  [GIS_DASH_DOTTED] = "dotted",
  [GIS_DASH_DASH_DOT] = "dash-dot",
};

static int
lookup_id (const char *const *ids,
           guint              n,
           const char        *str)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (ids[i], str) == 0)
      return (int) i;
  return -1;
}

/**
 * gis_marker_shape_to_string:
 *
 * Returns: (transfer none): "circle", "square", "triangle", "diamond",
 *   "cross" or "star"
 */
const char *
gis_marker_shape_to_string (GisMarkerShape shape)
{
  g_return_val_if_fail ((guint) shape < G_N_ELEMENTS (shape_ids), NULL);
  return shape_ids[shape];
}

gboolean
gis_marker_shape_from_string (const char     *str,
                              GisMarkerShape *out_shape)
{
  int i = lookup_id (shape_ids, G_N_ELEMENTS (shape_ids), str);

  g_return_val_if_fail (out_shape != NULL, FALSE);
  if (i < 0)
    return FALSE;
  *out_shape = (GisMarkerShape) i;
  return TRUE;
}

static void
add_color (JsonBuilder    *b,
           const char     *member,
           const GisColor *color)
{
  g_autofree char *s = gis_color_to_string (color);

  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, s);
}

static void
add_double (JsonBuilder *b,
            const char  *member,
            double       v)
{
  json_builder_set_member_name (b, member);
  json_builder_add_double_value (b, v);
}

static void
add_string (JsonBuilder *b,
            const char  *member,
            const char  *v)
{
  json_builder_set_member_name (b, member);
  if (v != NULL)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_symbol (JsonBuilder     *b,
            const char      *member,
            const GisSymbol *s)
{
  if (member != NULL)
    json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  add_color (b, "fill", &s->fill);
  add_color (b, "stroke", &s->stroke);
  add_double (b, "stroke_width_px", s->stroke_width_px);
  add_double (b, "size_px", s->size_px);
  add_string (b, "shape", shape_ids[s->shape]);
  add_string (b, "dash", dash_ids[s->dash]);
  json_builder_end_object (b);
}

/**
 * gis_style_to_json:
 * @style: a style
 *
 * The form kept in atalaya_layers.style_json: an object with "version"
 * (1), "kind" ("single", "categorized", "graduated", "heatmap"), "symbol"
 * ({"fill", "stroke": "#rrggbb[aa]", "stroke_width_px", "size_px",
 * "shape", "dash"}), "field", "categories" ([{"value", "label",
 * "symbol"}]), "method", "classes", "ramp", "breaks", "radius_px",
 * "weight_field" as the kind needs, and "label" ({"field", "size_px",
 * "color", "halo_color", "halo_px"}) when features are labelled.
 * Colours keep 8 bits per channel.
 *
 * Returns: (transfer full): compact JSON
 */
char *
gis_style_to_json (GisStyle *style)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (style != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, STYLE_JSON_VERSION);
  add_string (b, "kind", kind_ids[style->kind]);
  add_symbol (b, "symbol", &style->symbol);

  switch (style->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      add_string (b, "field", style->field);
      json_builder_set_member_name (b, "categories");
      json_builder_begin_array (b);
      for (guint i = 0; i < style->categories->len; i++)
        {
          const Category *c = &g_array_index (style->categories, Category, i);

          json_builder_begin_object (b);
          add_string (b, "value", c->value);
          if (c->label != NULL)
            add_string (b, "label", c->label);
          add_symbol (b, "symbol", &c->symbol);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      break;

    case GIS_STYLE_GRADUATED:
      add_string (b, "field", style->field);
      add_string (b, "method", gis_classify_method_to_string (style->method));
      json_builder_set_member_name (b, "classes");
      json_builder_add_int_value (b, style->n_classes);
      add_string (b, "ramp", gis_color_ramp_to_string (style->ramp));
      if (style->breaks != NULL)
        {
          json_builder_set_member_name (b, "breaks");
          json_builder_begin_array (b);
          for (guint i = 0; i <= style->n_classes; i++)
            json_builder_add_double_value (b, style->breaks[i]);
          json_builder_end_array (b);
        }
      break;

    case GIS_STYLE_HEATMAP:
      add_double (b, "radius_px", style->radius_px);
      add_string (b, "ramp", gis_color_ramp_to_string (style->ramp));
      if (style->weight_field != NULL)
        add_string (b, "weight_field", style->weight_field);
      break;

    case GIS_STYLE_RASTER:
      add_string (b, "ramp", gis_color_ramp_to_string (style->ramp));
      if (isfinite (style->value_min))
        add_double (b, "min", style->value_min);
      if (isfinite (style->value_max))
        add_double (b, "max", style->value_max);
      add_double (b, "cutoff", style->cutoff);
      add_string (b, "sampling", style->bilinear ? "bilinear" : "nearest");
      break;

    case GIS_STYLE_SINGLE:
    default:
      break;
    }

  if (style->label.field != NULL)
    {
      json_builder_set_member_name (b, "label");
      json_builder_begin_object (b);
      add_string (b, "field", style->label.field);
      add_double (b, "size_px", style->label.size_px);
      add_color (b, "color", &style->label.color);
      add_color (b, "halo_color", &style->label.halo_color);
      add_double (b, "halo_px", style->label.halo_px);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/**
 * gis_style_equal:
 *
 * Returns: %TRUE if @a and @b draw alike (equal JSON forms)
 */
gboolean
gis_style_equal (GisStyle *a,
                 GisStyle *b)
{
  g_autofree char *ja = NULL;
  g_autofree char *jb = NULL;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a == b)
    return TRUE;
  ja = gis_style_to_json (a);
  jb = gis_style_to_json (b);
  return strcmp (ja, jb) == 0;
}

/* Reading: every member is optional unless the kind needs it; a member of
 * the wrong type or out of range is an error naming it by its path. */

static gboolean G_GNUC_PRINTF (3, 4)
json_fail (GError    **error,
           const char *path,
           const char *format,
           ...)
{
  va_list args;
  g_autofree char *why = NULL;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
               _("Invalid style: member “%s”: %s"), path, why);
  return FALSE;
}

static char *
member_path (const char *prefix,
             const char *member)
{
  return prefix != NULL && *prefix != '\0' ? g_strconcat (prefix, ".", member, NULL)
                                           : g_strdup (member);
}

/* Returns FALSE with @error set on a bad member; *out_node NULL when absent. */
static gboolean
get_member (JsonObject  *o,
            const char  *prefix,
            const char  *member,
            JsonNode   **out_node)
{
  *out_node = json_object_has_member (o, member) ? json_object_get_member (o, member) : NULL;
  if (*out_node != NULL && JSON_NODE_HOLDS_NULL (*out_node))
    *out_node = NULL;
  return TRUE;
}

static gboolean
read_number (JsonObject  *o,
             const char  *prefix,
             const char  *member,
             double       min,
             double       max,
             double      *inout,
             GError     **error)
{
  g_autofree char *path = member_path (prefix, member);
  JsonNode *node;
  double v;

  get_member (o, prefix, member, &node);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64))
    return json_fail (error, path, _("not a number"));
  v = json_node_get_value_type (node) == G_TYPE_DOUBLE ? json_node_get_double (node)
                                                      : (double) json_node_get_int (node);
  if (!(v >= min && v <= max))
    return json_fail (error, path, _("%g is not between %g and %g"), v, min, max);
  *inout = v;
  return TRUE;
}

static gboolean
read_string (JsonObject  *o,
             const char  *prefix,
             const char  *member,
             const char **out,
             GError     **error)
{
  g_autofree char *path = member_path (prefix, member);
  JsonNode *node;

  *out = NULL;
  get_member (o, prefix, member, &node);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return json_fail (error, path, _("not a string"));
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_color (JsonObject  *o,
            const char  *prefix,
            const char  *member,
            GisColor    *inout,
            GError     **error)
{
  const char *s;

  if (!read_string (o, prefix, member, &s, error))
    return FALSE;
  if (s != NULL && !gis_color_parse (s, inout))
    {
      g_autofree char *path = member_path (prefix, member);

      return json_fail (error, path, _("“%s” is not a colour (#rrggbb or #rrggbbaa)"), s);
    }
  return TRUE;
}

static gboolean
read_enum (JsonObject        *o,
           const char        *prefix,
           const char        *member,
           const char *const *ids,
           guint              n_ids,
           int               *inout,
           GError           **error)
{
  const char *s;
  int i;

  if (!read_string (o, prefix, member, &s, error))
    return FALSE;
  if (s == NULL)
    return TRUE;
  i = lookup_id (ids, n_ids, s);
  if (i < 0)
    {
      g_autofree char *path = member_path (prefix, member);
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint j = 0; j < n_ids; j++)
        g_string_append_printf (known, "%s%s", j > 0 ? ", " : "", ids[j]);
      return json_fail (error, path, _("“%s” is not one of %s"), s, known->str);
    }
  *inout = i;
  return TRUE;
}

static gboolean
read_object (JsonObject  *o,
             const char  *prefix,
             const char  *member,
             JsonObject **out,
             GError     **error)
{
  JsonNode *node;

  *out = NULL;
  get_member (o, prefix, member, &node);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *path = member_path (prefix, member);

      return json_fail (error, path, _("not an object"));
    }
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_array (JsonObject  *o,
            const char  *prefix,
            const char  *member,
            JsonArray  **out,
            GError     **error)
{
  JsonNode *node;

  *out = NULL;
  get_member (o, prefix, member, &node);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *path = member_path (prefix, member);

      return json_fail (error, path, _("not an array"));
    }
  *out = json_node_get_array (node);
  return TRUE;
}

static gboolean
read_symbol (JsonObject  *parent,
             const char  *prefix,
             const char  *member,
             GisSymbol   *inout,
             GError     **error)
{
  g_autofree char *path = member_path (prefix, member);
  JsonObject *o;
  int shape, dash;

  if (!read_object (parent, prefix, member, &o, error))
    return FALSE;
  if (o == NULL)
    return TRUE;

  shape = inout->shape;
  dash = inout->dash;
  if (!read_color (o, path, "fill", &inout->fill, error) ||
      !read_color (o, path, "stroke", &inout->stroke, error) ||
      !read_number (o, path, "stroke_width_px", 0, 100, &inout->stroke_width_px, error) ||
      !read_number (o, path, "size_px", 0, 1000, &inout->size_px, error) ||
      !read_enum (o, path, "shape", shape_ids, G_N_ELEMENTS (shape_ids), &shape, error) ||
      !read_enum (o, path, "dash", dash_ids, G_N_ELEMENTS (dash_ids), &dash, error))
    return FALSE;
  inout->shape = (GisMarkerShape) shape;
  inout->dash = (GisDash) dash;
  return TRUE;
}

static gboolean
require (const char  *value,
         const char  *member,
         GError     **error)
{
  if (value == NULL || *value == '\0')
    return json_fail (error, member, _("missing"));
  return TRUE;
}

/**
 * gis_style_new_from_json:
 * @json: a style's JSON form (gis_style_to_json())
 * @error: return location for a #GIS_ERROR_INVALID_INPUT error naming the
 *   bad member
 *
 * Members a style does not know are ignored (a newer Atalaya may add
 * some); a missing optional member takes its default.
 *
 * Returns: (transfer full) (nullable): the style
 */
GisStyle *
gis_style_new_from_json (const char  *json,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GisStyle) self = NULL;
  JsonNode *root;
  JsonObject *o, *label;
  JsonArray *array;
  const char *s;
  double version = STYLE_JSON_VERSION;
  int kind = GIS_STYLE_SINGLE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Invalid style: %s"),
                   local_error != NULL ? local_error->message : _("no JSON"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Invalid style: not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (root);

  if (!read_number (o, NULL, "version", 1, 1000000, &version, error))
    return NULL;
  if (version > STYLE_JSON_VERSION)
    {
      json_fail (error, "version", _("version %g is newer than this Atalaya reads (%d)"),
                 version, STYLE_JSON_VERSION);
      return NULL;
    }
  if (!read_enum (o, NULL, "kind", kind_ids, G_N_ELEMENTS (kind_ids), &kind, error))
    return NULL;

  self = style_alloc ((GisStyleKind) kind);
  if (!read_symbol (o, NULL, "symbol", &self->symbol, error))
    return NULL;

  switch (self->kind)
    {
    case GIS_STYLE_CATEGORIZED:
      if (!read_string (o, NULL, "field", &s, error) || !require (s, "field", error))
        return NULL;
      self->field = g_strdup (s);
      if (!read_array (o, NULL, "categories", &array, error))
        return NULL;
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          g_autofree char *path = g_strdup_printf ("categories[%u]", i);
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *co;
          const char *value, *lbl;
          Category c = { NULL, NULL, self->symbol };

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              json_fail (error, path, _("not an object"));
              return NULL;
            }
          co = json_node_get_object (node);
          if (!read_string (co, path, "value", &value, error) ||
              !read_string (co, path, "label", &lbl, error) ||
              !read_symbol (co, path, "symbol", &c.symbol, error))
            return NULL;
          if (value == NULL)
            {
              g_autofree char *vpath = member_path (path, "value");

              json_fail (error, vpath, _("missing"));
              return NULL;
            }
          gis_style_add_category (self, value, lbl, &c.symbol);
        }
      break;

    case GIS_STYLE_GRADUATED:
      {
        int method = GIS_CLASSIFY_QUANTILE;
        int ramp = GIS_COLOR_RAMP_REDS;
        double classes = 5;
        const char *method_ids[] = { "quantile", "equal-interval", "natural-breaks" };
        const char *ramp_ids[GIS_N_COLOR_RAMPS];

        for (guint i = 0; i < GIS_N_COLOR_RAMPS; i++)
          ramp_ids[i] = gis_color_ramp_to_string ((GisColorRamp) i);

        if (!read_string (o, NULL, "field", &s, error) || !require (s, "field", error))
          return NULL;
        self->field = g_strdup (s);
        if (!read_enum (o, NULL, "method", method_ids, G_N_ELEMENTS (method_ids), &method, error) ||
            !read_number (o, NULL, "classes", 1, GIS_CLASSIFY_MAX_CLASSES, &classes, error) ||
            !read_enum (o, NULL, "ramp", ramp_ids, GIS_N_COLOR_RAMPS, &ramp, error) ||
            !read_array (o, NULL, "breaks", &array, error))
          return NULL;
        if (classes != floor (classes))
          {
            json_fail (error, "classes", _("not a whole number"));
            return NULL;
          }
        self->method = (GisClassifyMethod) method;
        self->n_classes = (guint) classes;
        self->ramp = (GisColorRamp) ramp;
        if (array != NULL)
          {
            guint n = json_array_get_length (array);

            if (n != self->n_classes + 1)
              {
                json_fail (error, "breaks", _("%u values for %u classes"), n, self->n_classes);
                return NULL;
              }
            self->breaks = g_new (double, n);
            for (guint i = 0; i < n; i++)
              {
                JsonNode *node = json_array_get_element (array, i);

                if (!JSON_NODE_HOLDS_VALUE (node) ||
                    (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
                     json_node_get_value_type (node) != G_TYPE_INT64))
                  {
                    g_autofree char *path = g_strdup_printf ("breaks[%u]", i);

                    json_fail (error, path, _("not a number"));
                    return NULL;
                  }
                self->breaks[i] = json_node_get_value_type (node) == G_TYPE_DOUBLE ?
                                  json_node_get_double (node) : (double) json_node_get_int (node);
                if (i > 0 && self->breaks[i] < self->breaks[i - 1])
                  {
                    g_autofree char *path = g_strdup_printf ("breaks[%u]", i);

                    json_fail (error, path, _("smaller than the break before it"));
                    return NULL;
                  }
              }
          }
      }
      break;

    case GIS_STYLE_HEATMAP:
      {
        int ramp = GIS_COLOR_RAMP_YLORRD;
        const char *ramp_ids[GIS_N_COLOR_RAMPS];

        for (guint i = 0; i < GIS_N_COLOR_RAMPS; i++)
          ramp_ids[i] = gis_color_ramp_to_string ((GisColorRamp) i);
        if (!read_number (o, NULL, "radius_px", 1, 500, &self->radius_px, error) ||
            !read_enum (o, NULL, "ramp", ramp_ids, GIS_N_COLOR_RAMPS, &ramp, error) ||
            !read_string (o, NULL, "weight_field", &s, error))
          return NULL;
        self->ramp = (GisColorRamp) ramp;
        self->weight_field = g_strdup (s);
      }
      break;

    case GIS_STYLE_RASTER:
      {
        int ramp = GIS_COLOR_RAMP_YLORRD;
        int sampling = 1;
        const char *ramp_ids[GIS_N_COLOR_RAMPS];
        const char *const sampling_ids[] = { "nearest", "bilinear" };

        for (guint i = 0; i < GIS_N_COLOR_RAMPS; i++)
          ramp_ids[i] = gis_color_ramp_to_string ((GisColorRamp) i);
        self->value_min = self->value_max = NAN;
        if (!read_enum (o, NULL, "ramp", ramp_ids, GIS_N_COLOR_RAMPS, &ramp, error) ||
            !read_number (o, NULL, "min", -G_MAXDOUBLE, G_MAXDOUBLE, &self->value_min, error) ||
            !read_number (o, NULL, "max", -G_MAXDOUBLE, G_MAXDOUBLE, &self->value_max, error) ||
            !read_number (o, NULL, "cutoff", 0, 1, &self->cutoff, error) ||
            !read_enum (o, NULL, "sampling", sampling_ids, G_N_ELEMENTS (sampling_ids), &sampling, error))
          return NULL;
        self->ramp = (GisColorRamp) ramp;
        self->bilinear = sampling == 1;
      }
      break;

    case GIS_STYLE_SINGLE:
    default:
      break;
    }

  if (!read_object (o, NULL, "label", &label, error))
    return NULL;
  if (label != NULL)
    {
      if (!read_string (label, "label", "field", &s, error) ||
          !require (s, "label.field", error) ||
          !read_number (label, "label", "size_px", 1, 500, &self->label.size_px, error) ||
          !read_color (label, "label", "color", &self->label.color, error) ||
          !read_color (label, "label", "halo_color", &self->label.halo_color, error) ||
          !read_number (label, "label", "halo_px", 0, 50, &self->label.halo_px, error))
        return NULL;
      self->label.field = g_strdup (s);
    }

  return g_steal_pointer (&self);
}
