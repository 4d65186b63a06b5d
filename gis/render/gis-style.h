/* gis-style.h: how a layer is drawn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "gis-classify.h"
#include "gis-color.h"
#include "gis-layer.h"
#include "gis-layer-data.h"

G_BEGIN_DECLS

/* The colours of the default styles (gis_style_new_default()), for
 * tests and legends: parse them with gis_color_parse(). */
#define GIS_STYLE_PORT_FILL            "#b30000"
#define GIS_STYLE_PORT_STROKE          "#ffffff"
#define GIS_STYLE_PORT_SIZE_PX         10.0
#define GIS_STYLE_FACILITY_FILL        "#7b3294"
#define GIS_STYLE_FACILITY_SIZE_PX     6.0
#define GIS_STYLE_INCIDENT_FILL        "#f07c18cc"
#define GIS_STYLE_INCIDENT_SIZE_PX     5.0
#define GIS_STYLE_HABITAT_FILL         "#2e8b5759"
#define GIS_STYLE_HABITAT_STROKE       "#1b5e20"
#define GIS_STYLE_BOUNDARY_FILL        "#f5f3ee"
#define GIS_STYLE_BOUNDARY_STROKE      "#8c8c8c"
#define GIS_STYLE_BOUNDARY_LINE        "#8b1a1a"
#define GIS_STYLE_RESULT_COLOR         "#1f78b4"
#define GIS_STYLE_RESOURCE_COLOR       "#00897b"
#define GIS_STYLE_ZONE_STROKE          "#e6b800"
/** The highlight of selected features. */
#define GIS_STYLE_SELECTION_COLOR      "#ffd000"
/** The temporary overlay of a query's result (the SQL console's). */
#define GIS_STYLE_OVERLAY_COLOR        "#e6007e"
/* A raster's default style draws the lowest 2% of its range transparent. */
#define GIS_STYLE_RASTER_CUTOFF        0.02

/** The class of a feature that is not drawn (gis_style_classify()). */
#define GIS_STYLE_CLASS_NONE G_MAXUINT16

/* A categorized style made from a field's values takes at most this many. */
#define GIS_STYLE_MAX_CATEGORIES 24

#define GIS_TYPE_STYLE (gis_style_get_type ())

typedef struct _GisStyle GisStyle;

/**
 * GisStyleKind:
 * @GIS_STYLE_SINGLE: one symbol for every feature
 * @GIS_STYLE_CATEGORIZED: a symbol per value of a field, and one for all
 *   other values
 * @GIS_STYLE_GRADUATED: classes of a numeric field, coloured along a ramp
 * @GIS_STYLE_HEATMAP: a density surface of the points (quartic kernel in
 *   screen space)
 * @GIS_STYLE_RASTER: a raster layer's values along a colour ramp
 */
typedef enum
{
  GIS_STYLE_SINGLE,
  GIS_STYLE_CATEGORIZED,
  GIS_STYLE_GRADUATED,
  GIS_STYLE_HEATMAP,
  GIS_STYLE_RASTER,
} GisStyleKind;

/**
 * GisMarkerShape:
 *
 * The shape of a point symbol.
 */
typedef enum
{
  GIS_MARKER_CIRCLE,
  GIS_MARKER_SQUARE,
  GIS_MARKER_TRIANGLE,
  GIS_MARKER_DIAMOND,
  GIS_MARKER_CROSS,
  GIS_MARKER_STAR,
} GisMarkerShape;

/**
 * GisDash:
 *
 * The dash pattern of lines and outlines, in multiples of the stroke
 * width.
 */
typedef enum
{
  GIS_DASH_SOLID,
  GIS_DASH_DASHED,
  GIS_DASH_DOTTED,
  GIS_DASH_DASH_DOT,
} GisDash;

/**
 * GisSymbol:
 * @fill: fill of markers and polygons
 * @stroke: outline of markers and polygons; colour of lines
 * @stroke_width_px: width of outlines and lines; 0 for none
 * @size_px: diameter of markers
 * @shape: marker shape
 * @dash: dash pattern of lines and outlines
 *
 * How one class of features is drawn.  Lengths are in pixels of the view
 * (device-independent: a HiDPI or print render scales them).
 */
typedef struct
{
  GisColor        fill;
  GisColor        stroke;
  double          stroke_width_px;
  double          size_px;
  GisMarkerShape  shape;
  GisDash         dash;
} GisSymbol;

/**
 * GisLabelStyle:
 * @field: (nullable): the field whose values are the labels; %NULL for no
 *   labels
 * @size_px: font size in pixels
 * @color: text colour
 * @halo_color: colour of the halo around the letters
 * @halo_px: halo width; 0 for none
 */
typedef struct
{
  char     *field;
  double    size_px;
  GisColor  color;
  GisColor  halo_color;
  double    halo_px;
} GisLabelStyle;

GType               gis_style_get_type            (void) G_GNUC_CONST;

void                gis_symbol_init               (GisSymbol           *symbol);

GisStyle           *gis_style_new_single          (const GisSymbol     *symbol);
GisStyle           *gis_style_new_categorized     (const char          *field,
                                                   const GisSymbol     *other);
GisStyle           *gis_style_new_graduated       (const char          *field,
                                                   GisClassifyMethod    method,
                                                   guint                n_classes,
                                                   GisColorRamp         ramp,
                                                   const GisSymbol     *base);
GisStyle           *gis_style_new_heatmap         (double               radius_px,
                                                   GisColorRamp         ramp,
                                                   const char          *weight_field);
GisStyle           *gis_style_new_raster          (GisColorRamp         ramp,
                                                   double               value_min,
                                                   double               value_max,
                                                   double               cutoff,
                                                   gboolean             bilinear);
void                gis_style_get_raster          (GisStyle            *style,
                                                   double              *out_min,
                                                   double              *out_max,
                                                   double              *out_cutoff,
                                                   gboolean            *out_bilinear);
GisStyle           *gis_style_new_default         (GisLayer            *layer);
GisStyle           *gis_style_new_from_json       (const char          *json,
                                                   GError             **error);

GisStyle           *gis_style_ref                 (GisStyle            *style);
void                gis_style_unref               (GisStyle            *style);
GisStyle           *gis_style_copy                (GisStyle            *style);
char               *gis_style_to_json             (GisStyle            *style);
gboolean            gis_style_equal               (GisStyle            *a,
                                                   GisStyle            *b);

GisStyleKind        gis_style_get_kind            (GisStyle            *style);
const char         *gis_style_get_field           (GisStyle            *style);
const GisSymbol    *gis_style_get_symbol          (GisStyle            *style);
void                gis_style_set_symbol          (GisStyle            *style,
                                                   const GisSymbol     *symbol);

guint               gis_style_get_n_categories    (GisStyle            *style);
void                gis_style_add_category        (GisStyle            *style,
                                                   const char          *value,
                                                   const char          *label,
                                                   const GisSymbol     *symbol);
const char         *gis_style_get_category_value  (GisStyle            *style,
                                                   guint                i);
const char         *gis_style_get_category_label  (GisStyle            *style,
                                                   guint                i);
const GisSymbol    *gis_style_get_category_symbol (GisStyle            *style,
                                                   guint                i);
void                gis_style_clear_categories    (GisStyle            *style);

GisClassifyMethod   gis_style_get_method          (GisStyle            *style);
guint               gis_style_get_n_classes       (GisStyle            *style);
GisColorRamp        gis_style_get_ramp            (GisStyle            *style);
const double       *gis_style_get_breaks          (GisStyle            *style,
                                                   guint               *out_n_breaks);
void                gis_style_set_breaks          (GisStyle            *style,
                                                   const double        *breaks,
                                                   guint                n_breaks);
gboolean            gis_style_compute_breaks      (GisStyle            *style,
                                                   GisLayerData        *data,
                                                   GError             **error);

double              gis_style_get_radius_px       (GisStyle            *style);
const char         *gis_style_get_weight_field    (GisStyle            *style);

const GisLabelStyle *gis_style_get_label          (GisStyle            *style);
void                gis_style_set_label           (GisStyle            *style,
                                                   const char          *field,
                                                   double               size_px,
                                                   const GisColor      *color,
                                                   const GisColor      *halo_color,
                                                   double               halo_px);

char              **gis_style_dup_fields          (GisStyle            *style);
guint               gis_style_get_n_symbols       (GisStyle            *style);
void                gis_style_get_class_symbol    (GisStyle            *style,
                                                   guint                class_index,
                                                   GisSymbol           *out_symbol);
char               *gis_style_dup_class_label     (GisStyle            *style,
                                                   guint                class_index);
guint16            *gis_style_classify            (GisStyle            *style,
                                                   GisLayerData        *data,
                                                   GError             **error);

void                gis_style_category_color      (guint                index,
                                                   GisColor            *out_color);

const char         *gis_marker_shape_to_string    (GisMarkerShape       shape);
gboolean            gis_marker_shape_from_string  (const char          *str,
                                                   GisMarkerShape      *out_shape);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisStyle, gis_style_unref)

G_END_DECLS
