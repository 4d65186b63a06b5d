/* gis-composition.c: a map page for print and export
 *
 * A composition is what a planner prints: a page (Letter, Legal, Tabloid,
 * A4 or A3, portrait or landscape, with margins) holding the map frame,
 * a title, a legend of the layers drawn, a scale bar, a north arrow and
 * notes (date, CRS, sources, the method records of result layers),
 * written in one of the export languages.  Its settings are made on any
 * thread; gis_composition_load() reads the store (on a worker: it decodes
 * every layer drawn) and the page is then drawn on any cairo context, or
 * exported to PDF, SVG or PNG.  An atlas draws one page per feature of a
 * layer, framed on it.
 *
 * A composition is not shared between threads while it loads or exports:
 * the window's export dialog hands it to gis_composition_export_async()
 * and leaves it alone until the callback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-compose"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gis-compose-i18n-private.h"
#include "gis-composition-private.h"
#include "gis-error.h"
#include "gis-sql-private.h"
#include "gis-store.h"
#include "gis-store-private.h"

#define MM_PER_PT   (25.4 / 72.0)
#define MAX_SIDE_PX 32000

G_DEFINE_FINAL_TYPE (GisComposition, gis_composition, G_TYPE_OBJECT)

/* ---- enums ------------------------------------------------------------- */

static const struct
{
  const char *id;
  double      width_pt;
  double      height_pt;
} page_sizes[] = {
  [GIS_PAGE_LETTER] = { "letter", 612, 792 },
  [GIS_PAGE_LEGAL] = { "legal", 612, 1008 },
  [GIS_PAGE_TABLOID] = { "tabloid", 792, 1224 },
  [GIS_PAGE_A4] = { "a4", 210 / MM_PER_PT, 297 / MM_PER_PT },
  [GIS_PAGE_A3] = { "a3", 297 / MM_PER_PT, 420 / MM_PER_PT },
};

static const char *const language_ids[GIS_N_LANGUAGES] = { "en", "fr", "es" };

/**
 * gis_page_size_to_string:
 * @size: a page size
 *
 * Returns: (transfer none): its id: "letter", "legal", "tabloid", "a4"
 *   or "a3"
 */
const char *
gis_page_size_to_string (GisPageSize size)
{
  g_return_val_if_fail (size <= GIS_PAGE_A3, NULL);

  return page_sizes[size].id;
}

/**
 * gis_page_size_from_string:
 * @str: a page size id, in any case
 * @out_size: (out): the size
 *
 * Returns: whether @str names a page size
 */
gboolean
gis_page_size_from_string (const char  *str,
                           GisPageSize *out_size)
{
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out_size != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (page_sizes); i++)
    if (g_ascii_strcasecmp (str, page_sizes[i].id) == 0)
      {
        *out_size = (GisPageSize) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_page_size_get_pt:
 * @size: a page size
 * @out_width_pt: (out): its width in portrait, in points (1/72 in)
 * @out_height_pt: (out): its height in portrait
 */
void
gis_page_size_get_pt (GisPageSize  size,
                      double      *out_width_pt,
                      double      *out_height_pt)
{
  g_return_if_fail (size <= GIS_PAGE_A3);

  *out_width_pt = page_sizes[size].width_pt;
  *out_height_pt = page_sizes[size].height_pt;
}

/**
 * gis_language_to_string:
 * @language: a language
 *
 * Returns: (transfer none): its code: "en", "fr" or "es"
 */
const char *
gis_language_to_string (GisLanguage language)
{
  g_return_val_if_fail (language < GIS_N_LANGUAGES, NULL);

  return language_ids[language];
}

/**
 * gis_language_from_string:
 * @str: a language code ("fr", or a locale name such as "fr_CA.UTF-8")
 * @out_language: (out): the language
 *
 * Returns: whether @str names a language of the exports
 */
gboolean
gis_language_from_string (const char  *str,
                          GisLanguage *out_language)
{
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (out_language != NULL, FALSE);

  for (guint i = 0; i < GIS_N_LANGUAGES; i++)
    if (g_ascii_strncasecmp (str, language_ids[i], 2) == 0 &&
        (str[2] == '\0' || str[2] == '_' || str[2] == '-' || str[2] == '.'))
      {
        *out_language = (GisLanguage) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_compose_format_for_path:
 * @path: an output file name
 * @out_format: (out): the format its extension names
 *
 * Returns: whether @path ends in .pdf, .svg or .png (in any case)
 */
gboolean
gis_compose_format_for_path (const char      *path,
                            GisComposeFormat *out_format)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_format != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".pdf"))
    *out_format = GIS_COMPOSE_PDF;
  else if (g_str_has_suffix (lower, ".svg"))
    *out_format = GIS_COMPOSE_SVG;
  else if (g_str_has_suffix (lower, ".png"))
    *out_format = GIS_COMPOSE_PNG;
  else
    return FALSE;
  return TRUE;
}

/* ---- the object -------------------------------------------------------- */

static void
compose_layer_free (GisComposeLayer *cl)
{
  g_clear_object (&cl->layer);
  g_clear_pointer (&cl->style, gis_style_unref);
  g_clear_pointer (&cl->data, gis_layer_data_unref);
  g_clear_pointer (&cl->render, gis_render_layer_unref);
  g_free (cl->run_kind);
  g_free (cl->run_params_json);
  g_free (cl->run_inputs_json);
  g_free (cl->run_started_at);
  g_free (cl);
}

static void
extra_page_free (GisComposeExtraPage *extra)
{
  if (extra->destroy != NULL)
    extra->destroy (extra->user_data);
  g_free (extra->title);
  g_free (extra);
}

static void
unload (GisComposition *self)
{
  self->loaded = FALSE;
  g_ptr_array_set_size (self->layers, 0);
  gis_extent_init_empty (&self->data_extent);
  g_clear_pointer (&self->frame_data, gis_layer_data_unref);
  self->frame_column = -1;
  g_array_set_size (self->frame_features, 0);
  g_clear_pointer (&self->locator_data, gis_layer_data_unref);
  g_clear_pointer (&self->locator_render, gis_render_layer_unref);
}

static void
gis_composition_finalize (GObject *object)
{
  GisComposition *self = GIS_COMPOSITION (object);

  unload (self);
  g_ptr_array_unref (self->layers);
  g_ptr_array_unref (self->extra_pages);
  g_array_unref (self->frame_features);
  g_free (self->store_path);
  g_free (self->title);
  g_free (self->subtitle);
  g_clear_pointer (&self->crs, gis_crs_unref);
  g_clear_pointer (&self->extent_crs, gis_crs_unref);
  g_free (self->feature_layer);
  g_free (self->feature_field);
  g_free (self->feature_value);
  g_strfreev (self->layer_names);
  g_free (self->atlas_layer);
  g_free (self->atlas_title_field);
  g_clear_pointer (&self->date, g_date_time_unref);

  G_OBJECT_CLASS (gis_composition_parent_class)->finalize (object);
}

static void
gis_composition_class_init (GisCompositionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gis_composition_finalize;
}

static void
gis_composition_init (GisComposition *self)
{
  self->page = GIS_PAGE_LETTER;
  self->margin_mm = 12.7;
  self->language = GIS_LANGUAGE_EN;
  self->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) compose_layer_free);
  self->frame_features = g_array_new (FALSE, FALSE, sizeof (guint));
  self->extra_pages = g_ptr_array_new_with_free_func ((GDestroyNotify) extra_page_free);
  self->frame_column = -1;
  gis_extent_init_empty (&self->data_extent);
}

/**
 * gis_composition_new:
 * @store_path: the store whose layers the map draws
 *
 * A Letter page in portrait with half-inch margins, in English, in the
 * CEC North American Atlas LAEA, showing the store's shown layers.
 *
 * Returns: (transfer full): a new composition
 */
GisComposition *
gis_composition_new (const char *store_path)
{
  GisComposition *self;

  g_return_val_if_fail (store_path != NULL, NULL);

  self = g_object_new (GIS_TYPE_COMPOSITION, NULL);
  self->store_path = g_strdup (store_path);
  return self;
}

/**
 * gis_composition_set_page:
 * @self: a composition
 * @size: the paper
 * @landscape: whether the page lies on its long side
 */
void
gis_composition_set_page (GisComposition *self,
                          GisPageSize     size,
                          gboolean        landscape)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));
  g_return_if_fail (size <= GIS_PAGE_A3);

  self->page = size;
  self->landscape = !!landscape;
}

/**
 * gis_composition_get_page_pt:
 * @self: a composition
 * @out_width_pt: (out): the page's width, in points, as it lies
 * @out_height_pt: (out): its height
 */
void
gis_composition_get_page_pt (GisComposition *self,
                             double         *out_width_pt,
                             double         *out_height_pt)
{
  double w, h;

  g_return_if_fail (GIS_IS_COMPOSITION (self));

  gis_page_size_get_pt (self->page, &w, &h);
  *out_width_pt = self->landscape ? h : w;
  *out_height_pt = self->landscape ? w : h;
}

/**
 * gis_composition_set_margin_mm:
 * @self: a composition
 * @margin_mm: the blank border of the page, in millimetres (default
 *   12.7, half an inch); clamped to [0, 50]
 */
void
gis_composition_set_margin_mm (GisComposition *self,
                               double          margin_mm)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  self->margin_mm = CLAMP (margin_mm, 0, 50);
}

/**
 * gis_composition_set_title:
 * @self: a composition
 * @title: (nullable): the map's title; %NULL for the default, the
 *   translated "Map"
 */
void
gis_composition_set_title (GisComposition *self,
                           const char     *title)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  g_free (self->title);
  self->title = g_strdup (title);
}

/**
 * gis_composition_set_subtitle:
 * @self: a composition
 * @subtitle: (nullable): a line under the title
 */
void
gis_composition_set_subtitle (GisComposition *self,
                              const char     *subtitle)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  g_free (self->subtitle);
  self->subtitle = g_strdup (subtitle);
}

/**
 * gis_composition_set_language:
 * @self: a composition
 * @language: the language of the page's own text (legend, scale bar,
 *   notes, method records), whatever the interface's
 */
void
gis_composition_set_language (GisComposition *self,
                              GisLanguage     language)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));
  g_return_if_fail (language < GIS_N_LANGUAGES);

  self->language = language;
}

/**
 * gis_composition_set_crs:
 * @self: a composition
 * @crs: (nullable): the map's CRS; %NULL for the CEC North American Atlas
 *   LAEA
 *
 * Takes effect at the next gis_composition_load().
 */
void
gis_composition_set_crs (GisComposition *self,
                         GisCrs         *crs)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  g_clear_pointer (&self->crs, gis_crs_unref);
  if (crs != NULL)
    self->crs = gis_crs_ref (crs);
  self->loaded = FALSE;
}

/**
 * gis_composition_set_extent:
 * @self: a composition
 * @lonlat_extent: (nullable): the box the map shows, in degrees; %NULL
 *   for all the layers drawn (or the feature framed)
 */
void
gis_composition_set_extent (GisComposition  *self,
                            const GisExtent *lonlat_extent)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  self->has_extent = lonlat_extent != NULL;
  if (lonlat_extent != NULL)
    self->extent_lonlat = *lonlat_extent;
  g_clear_pointer (&self->extent_crs, gis_crs_unref);
}

/**
 * gis_composition_set_map_extent:
 * @self: a composition
 * @crs: (nullable): the CRS of @map_extent
 * @map_extent: (nullable): the box the map shows, in @crs's units, such
 *   as a window's view; %NULL for all the layers drawn (or the feature
 *   framed)
 *
 * As gis_composition_set_extent(), for a box in a map CRS: a view of a
 * projected map is no box of longitudes and latitudes (its corners reach
 * far further in degrees than its edges), so the frame fits this box
 * itself, or its bounds in the composition's CRS if that is another.
 */
void
gis_composition_set_map_extent (GisComposition  *self,
                                GisCrs          *crs,
                                const GisExtent *map_extent)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));
  g_return_if_fail (map_extent == NULL || crs != NULL);

  g_clear_pointer (&self->extent_crs, gis_crs_unref);
  self->has_extent = map_extent != NULL;
  if (map_extent != NULL)
    {
      self->extent_crs = gis_crs_ref (crs);
      self->extent_lonlat = *map_extent;
    }
}

/**
 * gis_composition_set_feature:
 * @self: a composition
 * @layer: (nullable): a layer of the store; %NULL for no feature
 * @field: its field
 * @value: the value that finds the feature (the first with it)
 *
 * Frames the map on one feature, such as a state, outlined.  Takes
 * effect at the next gis_composition_load().
 */
void
gis_composition_set_feature (GisComposition *self,
                             const char     *layer,
                             const char     *field,
                             const char     *value)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));
  g_return_if_fail (layer == NULL || (field != NULL && value != NULL));

  g_free (self->feature_layer);
  g_free (self->feature_field);
  g_free (self->feature_value);
  self->feature_layer = g_strdup (layer);
  self->feature_field = g_strdup (layer != NULL ? field : NULL);
  self->feature_value = g_strdup (layer != NULL ? value : NULL);
  self->loaded = FALSE;
}

/**
 * gis_composition_set_layers:
 * @self: a composition
 * @names: (nullable) (array zero-terminated=1): the layers to draw,
 *   shown or hidden in the store; %NULL for the shown ones
 *
 * They are drawn in the store's order.  Takes effect at the next
 * gis_composition_load().
 */
void
gis_composition_set_layers (GisComposition    *self,
                            const char *const *names)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  g_strfreev (self->layer_names);
  self->layer_names = g_strdupv ((char **) names);
  self->loaded = FALSE;
}

/**
 * gis_composition_set_atlas:
 * @self: a composition
 * @layer: (nullable): the layer with a page per feature; %NULL for a
 *   single page
 * @title_field: (nullable): the field whose value titles each page;
 *   %NULL for a text field called name (nom, nombre) if the layer has one
 *
 * Takes effect at the next gis_composition_load().
 */
void
gis_composition_set_atlas (GisComposition *self,
                           const char     *layer,
                           const char     *title_field)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  g_free (self->atlas_layer);
  g_free (self->atlas_title_field);
  self->atlas_layer = g_strdup (layer);
  self->atlas_title_field = g_strdup (layer != NULL ? title_field : NULL);
  self->loaded = FALSE;
}

/**
 * gis_composition_set_locator:
 * @self: a composition
 * @locator: whether a small map of North America in a corner of the
 *   frame shows where the map lies
 *
 * Takes effect at the next gis_composition_load().
 */
void
gis_composition_set_locator (GisComposition *self,
                             gboolean        locator)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  self->locator = !!locator;
  self->loaded = FALSE;
}

/**
 * gis_composition_set_date:
 * @self: a composition
 * @date: (nullable): the date printed; %NULL for the day of the export
 */
void
gis_composition_set_date (GisComposition *self,
                          GDateTime      *date)
{
  g_return_if_fail (GIS_IS_COMPOSITION (self));

  g_clear_pointer (&self->date, g_date_time_unref);
  if (date != NULL)
    self->date = g_date_time_ref (date);
}

/**
 * gis_composition_add_page:
 * @self: a composition
 * @title: the page's title in English, marked with N_(): its title in the
 *   export's language is looked up in the catalogs
 * @func: (scope notified): draws the page
 * @user_data: its closure
 * @destroy: (nullable): frees @user_data with the composition
 *
 * Adds a page of its own after the map pages (after every page of an
 * atlas): the indicators' charts, for one.
 */
void
gis_composition_add_page (GisComposition         *self,
                          const char             *title,
                          GisCompositionPageFunc  func,
                          gpointer                user_data,
                          GDestroyNotify          destroy)
{
  GisComposeExtraPage *extra;

  g_return_if_fail (GIS_IS_COMPOSITION (self));
  g_return_if_fail (title != NULL);
  g_return_if_fail (func != NULL);

  extra = g_new0 (GisComposeExtraPage, 1);
  extra->title = g_strdup (title);
  extra->func = func;
  extra->user_data = user_data;
  extra->destroy = destroy;
  g_ptr_array_add (self->extra_pages, extra);
}

/* The pages with the map: one, or one per atlas feature. */
guint
gis_compose_n_map_pages (GisComposition *self)
{
  return self->atlas_layer != NULL ? self->frame_features->len : 1;
}

/* Draws a page added with gis_composition_add_page() on its white paper. */
gboolean
gis_compose_draw_extra_page (GisComposition  *self,
                             cairo_t         *cr,
                             guint            page,
                             GString         *svg_text,
                             GCancellable    *cancellable,
                             GError         **error)
{
  GisComposeExtraPage *extra = g_ptr_array_index (self->extra_pages, page - gis_compose_n_map_pages (self));
  double w, h;
  gboolean ok;

  gis_composition_get_page_pt (self, &w, &h);
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);
  ok = extra->func (cr, w, h, self->margin_mm * 72.0 / 25.4, self->language, svg_text, cancellable,
                    extra->user_data, error);
  cairo_restore (cr);
  return ok;
}

/* ---- loading ----------------------------------------------------------- */

/* The layer's saved style, or its default one. */
static GisStyle *
layer_style (GisLayer  *layer,
             GError   **error)
{
  const char *json = gis_layer_get_style_json (layer);
  g_autoptr(GError) local_error = NULL;
  GisStyle *style;

  if (json == NULL || *json == '\0')
    return gis_style_new_default (layer);

  style = gis_style_new_from_json (json, &local_error);
  if (style == NULL)
    g_set_error (error, GIS_ERROR, GIS_ERROR_CORRUPT, _("The style of layer “%s” is unreadable: %s"),
                 gis_layer_get_name (layer), local_error->message);
  return style;
}

/* The method record of a result layer: the latest run that wrote it. */
static gboolean
read_run (GisStore         *store,
          GisComposeLayer  *cl,
          GError          **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!gis_sql_table_exists (db, "atalaya_runs"))
    return TRUE;
  stmt = gis_sql_prepare (db, "SELECT kind, params_json, inputs_json, started_at FROM atalaya_runs "
                              "WHERE result_layer = ?1 ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, gis_layer_get_id (cl->layer));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      cl->run_kind = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      cl->run_params_json = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      cl->run_inputs_json = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      cl->run_started_at = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  return TRUE;
}

/* The first feature of @data whose @column holds @value (text exactly,
 * else without regard to case; numbers as numbers). */
static gboolean
find_feature (GisLayerData *data,
              guint         column,
              const char   *value,
              guint        *out_index)
{
  guint n = gis_layer_data_get_n_features (data);

  if (gis_layer_data_get_column_kind (data, column) == GIS_COLUMN_NUMERIC)
    {
      const double *v = gis_layer_data_get_numbers (data, column);
      char *end = NULL;
      double x = g_ascii_strtod (value, &end);

      if (end == value || *end != '\0')
        return FALSE;
      for (guint i = 0; i < n; i++)
        if (v[i] == x)
          {
            *out_index = i;
            return TRUE;
          }
      return FALSE;
    }

  for (int pass = 0; pass < 2; pass++)
    {
      const guint32 *ids = gis_layer_data_get_string_ids (data, column);

      for (guint i = 0; i < n; i++)
        {
          const char *s;

          if (ids[i] == GIS_LAYER_DATA_NULL_STRING)
            continue;
          s = gis_layer_data_get_string (data, column, ids[i]);
          if (s != NULL && (pass == 0 ? strcmp (s, value) == 0 : g_utf8_collate (s, value) == 0 ||
                            g_ascii_strcasecmp (s, value) == 0))
            {
              *out_index = i;
              return TRUE;
            }
        }
    }
  return FALSE;
}

/* Loads the atlas layer, or the layer of the feature framed. */
static gboolean
load_frame_layer (GisComposition  *self,
                  GisStore        *store,
                  GisCrs          *crs,
                  GCancellable    *cancellable,
                  GError         **error)
{
  const char *name = self->atlas_layer != NULL ? self->atlas_layer : self->feature_layer;
  const char *field = self->atlas_layer != NULL ? self->atlas_title_field : self->feature_field;
  const char *fields[2] = { NULL, NULL };
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GPtrArray) all_fields = NULL;
  guint n;

  if (name == NULL)
    return TRUE;

  layer = gis_store_get_layer (store, name, error);
  if (layer == NULL)
    return FALSE;
  if (gis_layer_get_geometry_type (layer) == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has no geometry: no page can be framed on it"), name);
      return FALSE;
    }
  /* an atlas without a title field titles its pages with the layer's
   * name field, when it has one */
  if (field == NULL && self->atlas_layer != NULL)
    {
      all_fields = gis_store_get_fields (store, layer, error);
      if (all_fields == NULL)
        return FALSE;
      for (guint i = 0; i < all_fields->len && field == NULL; i++)
        {
          const GisField *f = g_ptr_array_index (all_fields, i);
          static const char *const names[] = { "name", "nom", "nombre" };

          for (guint k = 0; k < G_N_ELEMENTS (names) && field == NULL; k++)
            if (f->type == GIS_FIELD_TEXT && g_ascii_strcasecmp (f->name, names[k]) == 0)
              field = f->name;
        }
    }
  fields[0] = field;
  self->frame_data = gis_layer_data_load (self->store_path, gis_layer_get_id (layer), crs,
                                          field != NULL ? fields : NULL, cancellable, error);
  if (self->frame_data == NULL)
    return FALSE;
  if (field != NULL)
    {
      self->frame_column = gis_layer_data_find_column (self->frame_data, field);
      if (self->frame_column < 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("Layer “%s” has no field “%s”"),
                       name, field);
          return FALSE;
        }
    }

  n = gis_layer_data_get_n_features (self->frame_data);
  if (self->atlas_layer != NULL)
    {
      for (guint i = 0; i < n; i++)
        if (gis_layer_data_get_feature_kind (self->frame_data, i) != GIS_FEATURE_NONE)
          g_array_append_val (self->frame_features, i);
      if (self->frame_features->len == 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                       _("Layer “%s” has no feature to make a page of"), name);
          return FALSE;
        }
    }
  else
    {
      guint index;

      if (!find_feature (self->frame_data, self->frame_column, self->feature_value, &index) ||
          gis_layer_data_get_feature_kind (self->frame_data, index) == GIS_FEATURE_NONE)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                       _("Layer “%s” has no feature whose “%s” is “%s”"),
                       name, field, self->feature_value);
          return FALSE;
        }
      g_array_append_val (self->frame_features, index);
    }
  return TRUE;
}

/* The locator's North America: the boundary polygon layer with the
 * fewest features (the countries), in a plain grey. */
static gboolean
load_locator (GisComposition  *self,
              GListModel      *all,
              GisCrs          *crs,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GisLayer) best = NULL;
  g_autoptr(GisStyle) style = NULL;
  GisSymbol symbol;

  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (all, i);
      const char *type = gis_layer_get_geometry_type (layer);

      if (gis_layer_get_role (layer) != GIS_LAYER_ROLE_BOUNDARY || type == NULL ||
          strstr (type, "POLYGON") == NULL)
        continue;
      if (best == NULL || gis_layer_get_feature_count (layer) < gis_layer_get_feature_count (best))
        g_set_object (&best, layer);
    }
  if (best == NULL)
    return TRUE;     /* a frame without a map: nothing to locate against */

  self->locator_data = gis_layer_data_load (self->store_path, gis_layer_get_id (best), crs, NULL,
                                            cancellable, error);
  if (self->locator_data == NULL)
    return FALSE;
  gis_symbol_init (&symbol);
  symbol.fill = (GisColor) { 0.87, 0.87, 0.85, 1 };
  symbol.stroke = (GisColor) { 0.55, 0.55, 0.55, 1 };
  symbol.stroke_width_px = 0.4;
  style = gis_style_new_single (&symbol);
  self->locator_render = gis_render_layer_new (self->locator_data, style, error);
  return self->locator_render != NULL;
}

/**
 * gis_composition_load:
 * @self: a composition
 * @cancellable: (nullable): checked between layers
 * @progress: (nullable) (scope call): called as each layer is read
 * @progress_data: its closure
 * @error: return location for an error
 *
 * Reads what the page shows from the store: the layers with their styles
 * and method records, the feature or atlas layer framed, the locator.
 * It decodes every layer drawn: call it on a worker thread.
 *
 * Returns: whether the composition is ready to draw
 */
gboolean
gis_composition_load (GisComposition  *self,
                      GCancellable    *cancellable,
                      GisProgressFunc  progress,
                      gpointer         progress_data,
                      GError         **error)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GPtrArray) drawn = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GisCrs) crs = NULL;

  g_return_val_if_fail (GIS_IS_COMPOSITION (self), FALSE);

  unload (self);
  if (self->crs == NULL)
    {
      self->crs = gis_crs_new (GIS_CRS_CEC_LAEA_ID, error);
      if (self->crs == NULL)
        return FALSE;
    }
  crs = gis_crs_ref (self->crs);

  store = gis_store_open (self->store_path, GIS_STORE_OPEN_READ_ONLY, error);
  if (store == NULL)
    return FALSE;
  all = gis_store_list_layers (store, error);
  if (all == NULL)
    return FALSE;

  if (self->layer_names != NULL)
    {
      for (guint j = 0; self->layer_names[j] != NULL; j++)
        {
          g_autoptr(GisLayer) named = gis_store_get_layer (store, self->layer_names[j], error);

          if (named == NULL)
            return FALSE;
        }
      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(GisLayer) layer = g_list_model_get_item (all, i);

          if (g_strv_contains ((const char *const *) self->layer_names, gis_layer_get_name (layer)))
            g_ptr_array_add (drawn, g_steal_pointer (&layer));
        }
    }
  else
    for (guint i = 0; i < g_list_model_get_n_items (all); i++)
      {
        g_autoptr(GisLayer) layer = g_list_model_get_item (all, i);

        if (gis_layer_get_visible (layer))
          g_ptr_array_add (drawn, g_steal_pointer (&layer));
      }

  for (guint i = 0; i < drawn->len; i++)
    {
      GisLayer *layer = g_ptr_array_index (drawn, i);
      GisComposeLayer *cl;
      g_auto(GStrv) fields = NULL;
      g_autofree char *message = NULL;

      /* attribute-only tables have nothing to draw */
      if (gis_layer_get_geometry_type (layer) == NULL)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (progress != NULL)
        {
          message = g_strdup_printf (_("Reading layer “%s”"), gis_layer_get_name (layer));
          progress ((double) i / (drawn->len + 1), message, progress_data);
        }

      cl = g_new0 (GisComposeLayer, 1);
      g_ptr_array_add (self->layers, cl);
      cl->layer = g_object_ref (layer);
      cl->style = layer_style (layer, error);
      if (cl->style == NULL)
        return FALSE;
      fields = gis_style_dup_fields (cl->style);
      cl->data = gis_layer_data_load (self->store_path, gis_layer_get_id (layer), crs,
                                      (const char *const *) fields, cancellable, error);
      if (cl->data == NULL)
        return FALSE;
      if (gis_style_get_kind (cl->style) == GIS_STYLE_GRADUATED)
        {
          guint n_breaks = 0;

          gis_style_get_breaks (cl->style, &n_breaks);
          if (n_breaks == 0)
            {
              GisStyle *copy = gis_style_copy (cl->style);

              gis_style_unref (cl->style);
              cl->style = copy;
              if (!gis_style_compute_breaks (cl->style, cl->data, error))
                return FALSE;
            }
        }
      cl->render = gis_render_layer_new (cl->data, cl->style, error);
      if (cl->render == NULL)
        {
          g_prefix_error (error, _("Layer “%s”: "), gis_layer_get_name (layer));
          return FALSE;
        }
      gis_render_layer_set_opacity (cl->render, gis_layer_get_opacity (layer));
      gis_render_layer_set_show_labels (cl->render, gis_style_get_label (cl->style)->field != NULL);
      if (!gis_extent_is_empty (gis_layer_data_get_extent (cl->data)))
        gis_extent_add_extent (&self->data_extent, gis_layer_data_get_extent (cl->data));
      if (gis_layer_get_role (layer) == GIS_LAYER_ROLE_RESULT && !read_run (store, cl, error))
        return FALSE;
    }

  if (!load_frame_layer (self, store, crs, cancellable, error))
    return FALSE;
  if (self->locator && !load_locator (self, all, crs, cancellable, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (progress != NULL)
    progress (1.0, NULL, progress_data);
  self->loaded = TRUE;
  return TRUE;
}

/**
 * gis_composition_get_n_pages:
 * @self: a loaded composition
 *
 * Returns: the number of pages: one, or one per feature of the atlas
 *   layer; then the pages added with gis_composition_add_page()
 */
guint
gis_composition_get_n_pages (GisComposition *self)
{
  g_return_val_if_fail (GIS_IS_COMPOSITION (self), 0);
  g_return_val_if_fail (self->loaded, 0);

  return gis_compose_n_map_pages (self) + self->extra_pages->len;
}

/**
 * gis_composition_dup_page_title:
 * @self: a loaded composition
 * @page: a page number, from 0
 *
 * The title of an atlas page is the value of its feature's title field
 * (or the composition's title); any other page has the composition's
 * title, or the translated "Map".
 *
 * Returns: (transfer full): the page's title
 */
char *
gis_composition_dup_page_title (GisComposition *self,
                                guint           page)
{
  g_return_val_if_fail (GIS_IS_COMPOSITION (self), NULL);
  g_return_val_if_fail (self->loaded, NULL);
  g_return_val_if_fail (page < gis_composition_get_n_pages (self), NULL);

  if (page >= gis_compose_n_map_pages (self))
    {
      GisComposeExtraPage *extra = g_ptr_array_index (self->extra_pages, page - gis_compose_n_map_pages (self));

      return g_strdup (gis_compose_tr (self->language, extra->title));
    }
  if (self->atlas_layer != NULL && self->frame_column >= 0)
    {
      guint index = g_array_index (self->frame_features, guint, page);
      char *value = gis_layer_data_format_value (self->frame_data, self->frame_column, index);

      if (value != NULL)
        return value;
    }
  if (self->title != NULL && *self->title != '\0')
    return g_strdup (self->title);
  return g_strdup (gis_compose_tr (self->language, N_("Map")));
}

/**
 * gis_composition_draw_page:
 * @self: a loaded composition
 * @cr: where to draw: its user space is the page's, in points, origin at
 *   the top-left corner (scale it for a preview)
 * @page: the page, from 0
 * @vector_output: draw points as paths (PDF, SVG); otherwise points and
 *   heat maps are images at @cr's device resolution
 * @cancellable: (nullable): checked while the map draws
 * @error: return location for an error
 *
 * Draws one page, its white paper included.  The window's export dialog
 * draws its preview with it.
 *
 * Returns: %FALSE when cancelled or when cairo failed
 */
gboolean
gis_composition_draw_page (GisComposition  *self,
                           cairo_t         *cr,
                           guint            page,
                           gboolean         vector_output,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_return_val_if_fail (GIS_IS_COMPOSITION (self), FALSE);
  g_return_val_if_fail (self->loaded, FALSE);
  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (page < gis_composition_get_n_pages (self), FALSE);

  return gis_compose_draw_page (self, cr, page, vector_output, NULL, cancellable, error);
}

/* ---- export ------------------------------------------------------------ */

/* "map.png" -> "map-007.png" for page 7 of an atlas. */
static char *
page_path (const char *path,
           guint       page,
           guint       n_pages)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);

  if (n_pages <= 1)
    return g_strdup (path);
  if (dot == NULL || (slash != NULL && dot < slash))
    dot = path + strlen (path);
  return g_strdup_printf ("%.*s-%0*u%s", (int) (dot - path), path, n_pages >= 1000 ? 4 : 3,
                          page + 1, dot);
}

static gboolean
cairo_ok (cairo_status_t   status,
          const char      *path,
          GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, GIS_ERROR, GIS_ERROR_IO, _("Cannot write “%s”: %s"),
               path, cairo_status_to_string (status));
  return FALSE;
}

static void
report_page (GisProgressFunc progress,
             gpointer        progress_data,
             guint           page,
             guint           n_pages)
{
  g_autofree char *message = NULL;

  if (progress == NULL)
    return;
  message = g_strdup_printf (_("Page %u of %u"), page + 1, n_pages);
  progress (0.3 + 0.7 * page / n_pages, message, progress_data);
}

static gboolean
export_pdf (GisComposition  *self,
            const char      *path,
            GCancellable    *cancellable,
            GisProgressFunc  progress,
            gpointer         progress_data,
            GError         **error)
{
  guint n_pages = gis_composition_get_n_pages (self);
  cairo_surface_t *surface;
  cairo_t *cr;
  double w, h;
  gboolean ok = TRUE;

  gis_composition_get_page_pt (self, &w, &h);
  surface = cairo_pdf_surface_create (path, w, h);
  if (!cairo_ok (cairo_surface_status (surface), path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Atalaya");
  if (self->title != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, self->title);

  cr = cairo_create (surface);
  for (guint page = 0; page < n_pages && ok; page++)
    {
      report_page (progress, progress_data, page, n_pages);
      ok = gis_compose_draw_page (self, cr, page, TRUE, NULL, cancellable, error);
      if (ok)
        cairo_show_page (cr);
    }
  if (ok)
    ok = cairo_ok (cairo_status (cr), path, error);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (ok)
    ok = cairo_ok (cairo_surface_status (surface), path, error);
  cairo_surface_destroy (surface);
  /* cairo wrote the pages drawn so far: no cut-off PDF stays */
  if (!ok)
    g_unlink (path);
  return ok;
}

static cairo_status_t
append_to_string (void                *closure,
                  const unsigned char *data,
                  unsigned int         length)
{
  g_string_append_len (closure, (const char *) data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* cairo writes text as glyph outlines: the page's own text goes over it
 * as SVG text elements instead, so that it stays text. */
static gboolean
export_svg_page (GisComposition  *self,
                 const char      *path,
                 guint            page,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) doc = g_string_new (NULL);
  cairo_surface_t *surface;
  cairo_t *cr;
  const char *inner;
  double w, h;
  gboolean ok;

  gis_composition_get_page_pt (self, &w, &h);
  surface = cairo_svg_surface_create_for_stream (append_to_string, body, w, h);
  /* the inner document in user units, as the outer one's view box */
  cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_USER);
  cr = cairo_create (surface);
  ok = gis_compose_draw_page (self, cr, page, TRUE, text, cancellable, error);
  if (ok)
    ok = cairo_ok (cairo_status (cr), path, error);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (ok)
    ok = cairo_ok (cairo_surface_status (surface), path, error);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;

  /* cairo's document, without its XML declaration, nested in ours */
  inner = strstr (body->str, "<svg");
  if (inner == NULL)
    inner = body->str;
  g_string_append_printf (doc,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                          "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
                          "width=\"%.2fpt\" height=\"%.2fpt\" viewBox=\"0 0 %.2f %.2f\">\n",
                          w, h, w, h);
  g_string_append (doc, inner);
  g_string_append (doc, "<g id=\"text\" xml:space=\"preserve\">\n");
  g_string_append_len (doc, text->str, text->len);
  g_string_append (doc, "</g>\n</svg>\n");

  return g_file_set_contents (path, doc->str, doc->len, error);
}

static guint32
png_crc (const guint8 *data,
         gsize         len)
{
  guint32 crc = 0xffffffffU;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
    }
  return crc ^ 0xffffffffU;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* cairo writes no resolution: a pHYs chunk after the header tells print
 * and layout programs the page's size. */
static void
png_add_resolution (GString *png,
                    double   dpi)
{
  const gsize after_ihdr = 8 + 4 + 4 + 13 + 4;
  guint32 ppm = (guint32) lround (dpi / 0.0254);
  guint8 chunk[4 + 4 + 9 + 4];

  if (png->len < after_ihdr || memcmp (png->str + 12, "IHDR", 4) != 0)
    return;
  put_be32 (chunk, 9);
  memcpy (chunk + 4, "pHYs", 4);
  put_be32 (chunk + 8, ppm);
  put_be32 (chunk + 12, ppm);
  chunk[16] = 1;                       /* the unit is the metre */
  put_be32 (chunk + 17, png_crc (chunk + 4, 4 + 9));
  g_string_insert_len (png, after_ihdr, (const char *) chunk, sizeof chunk);
}

static gboolean
export_png_page (GisComposition  *self,
                 const char      *path,
                 guint            page,
                 double           dpi,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(GString) png = g_string_new (NULL);
  cairo_surface_t *surface;
  cairo_t *cr;
  double w, h;
  int wpx, hpx;
  gboolean ok;

  gis_composition_get_page_pt (self, &w, &h);
  wpx = (int) lround (w * dpi / 72.0);
  hpx = (int) lround (h * dpi / 72.0);
  if (wpx < 1 || hpx < 1 || wpx > MAX_SIDE_PX || hpx > MAX_SIDE_PX)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("At %g DPI the page would be %d × %d pixels: at most %d on a side"),
                   dpi, wpx, hpx, MAX_SIDE_PX);
      return FALSE;
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, wpx, hpx);
  if (!cairo_ok (cairo_surface_status (surface), path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cr = cairo_create (surface);
  cairo_scale (cr, wpx / w, hpx / h);
  ok = gis_compose_draw_page (self, cr, page, FALSE, NULL, cancellable, error);
  if (ok)
    ok = cairo_ok (cairo_status (cr), path, error);
  cairo_destroy (cr);
  if (ok)
    ok = cairo_ok (cairo_surface_write_to_png_stream (surface, append_to_string, png), path, error);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;
  png_add_resolution (png, dpi);
  return g_file_set_contents (path, png->str, png->len, error);
}

/**
 * gis_composition_export:
 * @self: a composition, loaded or not
 * @path: the output file; an atlas in SVG or PNG writes one file per
 *   page, numbered before the extension (map-001.png, …)
 * @format: the format
 * @dpi: the resolution of a PNG, in dots per inch (300 makes a Letter
 *   page 2550 × 3300 pixels); ignored for PDF and SVG
 * @cancellable: (nullable): checked between pages and while the map draws
 * @progress: (nullable) (scope call): called on this thread as layers
 *   are read and pages drawn
 * @progress_data: its closure
 * @error: return location for an error
 *
 * Loads the composition if it is not, then writes its pages.  Runs on the
 * calling thread: a window calls gis_composition_export_async().  When it
 * fails or is cancelled, it removes what it wrote: no cut-off PDF, no
 * atlas missing its last pages.
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the files
 *   written
 */
GPtrArray *
gis_composition_export (GisComposition  *self,
                        const char      *path,
                        GisComposeFormat  format,
                        double           dpi,
                        GCancellable    *cancellable,
                        GisProgressFunc  progress,
                        gpointer         progress_data,
                        GError         **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_pages;

  g_return_val_if_fail (GIS_IS_COMPOSITION (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (format <= GIS_COMPOSE_PNG, NULL);
  g_return_val_if_fail (format != GIS_COMPOSE_PNG || dpi > 0, NULL);

  if (!self->loaded && !gis_composition_load (self, cancellable, NULL, NULL, error))
    return NULL;
  n_pages = gis_composition_get_n_pages (self);

  if (format == GIS_COMPOSE_PDF)
    {
      if (!export_pdf (self, path, cancellable, progress, progress_data, error))
        return NULL;
      g_ptr_array_add (files, g_strdup (path));
    }
  else
    for (guint page = 0; page < n_pages; page++)
      {
        g_autofree char *file = page_path (path, page, n_pages);
        gboolean ok;

        report_page (progress, progress_data, page, n_pages);
        if (format == GIS_COMPOSE_SVG)
          ok = export_svg_page (self, file, page, cancellable, error);
        else
          ok = export_png_page (self, file, page, dpi, cancellable, error);
        if (!ok)
          {
            /* a page is written whole or not at all (g_file_set_contents);
             * an atlas cut short leaves none of its pages either */
            for (guint i = 0; i < files->len; i++)
              g_unlink (g_ptr_array_index (files, i));
            return NULL;
          }
        g_ptr_array_add (files, g_steal_pointer (&file));
      }

  if (progress != NULL)
    progress (1.0, NULL, progress_data);
  return g_steal_pointer (&files);
}

typedef struct
{
  char            *path;
  GisComposeFormat  format;
  double           dpi;
  GisProgressFunc  progress;
  gpointer         progress_data;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_free (job->path);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  GPtrArray *files;

  files = gis_composition_export (source_object, job->path, job->format, job->dpi, cancellable,
                                  job->progress, job->progress_data, &error);
  if (files == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * gis_composition_export_async:
 * @self: a composition, loaded or not, which the caller leaves alone
 *   until @callback
 * @path: the output file
 * @format: the format
 * @dpi: a PNG's resolution
 * @cancellable: (nullable): cancels the export
 * @progress: (nullable): called on the worker thread
 * @progress_data: its closure, alive until @callback
 * @callback: called on the calling thread's main context when done
 * @user_data: its closure
 *
 * gis_composition_export() on a worker thread.
 */
void
gis_composition_export_async (GisComposition      *self,
                              const char          *path,
                              GisComposeFormat      format,
                              double               dpi,
                              GCancellable        *cancellable,
                              GisProgressFunc      progress,
                              gpointer             progress_data,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (GIS_IS_COMPOSITION (self));
  g_return_if_fail (path != NULL);

  job = g_new0 (ExportJob, 1);
  job->path = g_strdup (path);
  job->format = format;
  job->dpi = dpi;
  job->progress = progress;
  job->progress_data = progress_data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gis_composition_export_async);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

/**
 * gis_composition_export_finish:
 * @self: a composition
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the files
 *   written
 */
GPtrArray *
gis_composition_export_finish (GisComposition  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gis_composition_export_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
