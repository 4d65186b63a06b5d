/* atalaya-export-dialog.c: a map page for print, with a live preview
 *
 * The dialog composes the page that `atalaya-cli export-map` writes
 * (gis/compose/): its settings on the left, the page on the right as it
 * will print.  The preview is drawn on a worker thread into an image
 * surface at the screen's resolution and handed to the main thread, a
 * moment after the last edit.  One preview job runs at a time: an edit
 * while one runs cancels it and starts another when it returns.  A
 * GisComposition is used by one thread at a time, so it travels with the
 * job: the loaded composition of the last job is kept while the settings
 * that need a reload (CRS, layers, feature, atlas, locator) stay the same,
 * and given to the next job, which then only draws — a new title, page
 * size or language redraws without reading the store again.
 *
 * The export hands a composition to gis_composition_export_async() with a
 * progress bar and Cancel; a failed or cancelled export leaves no file.
 * The window says where the files went in a toast (::exported) and the
 * dialog closes; an error stays in the dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-export-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "atalaya-export-dialog-private.h"
#include "gis-sql-private.h"

#define DEBOUNCE_MS        250
#define PROGRESS_TICK_MS   100
#define PREVIEW_PADDING_PX 24
#define MAX_VALUES         2000

typedef enum
{
  EXTENT_VIEW,
  EXTENT_ALL,
  EXTENT_FEATURE,
} ExtentMode;

G_DEFINE_FINAL_TYPE (AtalayaExportDialog, atalaya_export_dialog, ADW_TYPE_WINDOW)

enum {
  EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void queue_preview (AtalayaExportDialog *self);
static void start_preview (AtalayaExportDialog *self);

/* ---- settings ------------------------------------------------------------ */

/* What the widgets say, as plain values a worker can take. */
typedef struct
{
  GisPageSize       page;
  gboolean          landscape;
  double            margin_mm;
  char             *title;
  char             *subtitle;
  GisLanguage       language;
  char             *crs_id;
  GisCrs           *view_crs;          /* NULL: no view framed */
  GisExtent         view_extent;
  char             *feature_layer;     /* NULL: no feature framed */
  char             *feature_field;
  char             *feature_value;
  GStrv             layers;
  gboolean          locator;
  char             *atlas_layer;       /* NULL: a single page */
  char             *atlas_field;
  GisComposeFormat  format;
  double            dpi;
} Settings;

static void
settings_free (Settings *s)
{
  g_free (s->title);
  g_free (s->subtitle);
  g_free (s->crs_id);
  g_clear_pointer (&s->view_crs, gis_crs_unref);
  g_free (s->feature_layer);
  g_free (s->feature_field);
  g_free (s->feature_value);
  g_strfreev (s->layers);
  g_free (s->atlas_layer);
  g_free (s->atlas_field);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Settings, settings_free)

/* What a loaded composition depends on: two settings with the same key
 * share one. */
static char *
settings_load_key (const Settings *s)
{
  g_autofree char *layers = g_strjoinv ("\x1f", s->layers);

  return g_strdup_printf ("%s\n%s\x1f%s\x1f%s\n%s\n%d\n%s\x1f%s", s->crs_id,
                          s->feature_layer != NULL ? s->feature_layer : "",
                          s->feature_field != NULL ? s->feature_field : "",
                          s->feature_value != NULL ? s->feature_value : "",
                          layers, s->locator,
                          s->atlas_layer != NULL ? s->atlas_layer : "",
                          s->atlas_field != NULL ? s->atlas_field : "");
}

/* The settings a composition takes at any time, loaded or not. */
static void
settings_apply_page (const Settings *s,
                     GisComposition *composition)
{
  gis_composition_set_page (composition, s->page, s->landscape);
  gis_composition_set_margin_mm (composition, s->margin_mm);
  gis_composition_set_title (composition, s->title);
  gis_composition_set_subtitle (composition, s->subtitle);
  gis_composition_set_language (composition, s->language);
  gis_composition_set_map_extent (composition, s->view_crs, s->view_crs != NULL ? &s->view_extent : NULL);
}

/* A composition of these settings, not loaded yet. */
static GisComposition *
settings_new_composition (const Settings  *s,
                          const char      *store_path,
                          GError         **error)
{
  g_autoptr(GisComposition) composition = NULL;
  g_autoptr(GisCrs) crs = gis_crs_new (s->crs_id, error);

  if (crs == NULL)
    return NULL;
  composition = gis_composition_new (store_path);
  gis_composition_set_crs (composition, crs);
  gis_composition_set_feature (composition, s->feature_layer, s->feature_field, s->feature_value);
  gis_composition_set_layers (composition, (const char *const *) s->layers);
  gis_composition_set_atlas (composition, s->atlas_layer, s->atlas_field);
  gis_composition_set_locator (composition, s->locator);
  settings_apply_page (s, composition);
  return g_steal_pointer (&composition);
}

static const char *
string_at (GPtrArray *array,
           guint      index)
{
  return array != NULL && index < array->len ? g_ptr_array_index (array, index) : NULL;
}

static gboolean
atlas_enabled (AtalayaExportDialog *self)
{
  return adw_expander_row_get_enable_expansion (self->atlas_row) &&
         string_at (self->frame_layers, adw_combo_row_get_selected (self->atlas_layer_row)) != NULL;
}

static char *
feature_value (AtalayaExportDialog *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->feature_value_dropdown);

  return item != NULL ? g_strdup (gtk_string_object_get_string (item)) : NULL;
}

static char *
entry_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static Settings *
read_settings (AtalayaExportDialog *self)
{
  Settings *s = g_new0 (Settings, 1);
  g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
  guint n;

  s->page = MIN (adw_combo_row_get_selected (self->page_size_row), GIS_PAGE_A3);
  s->landscape = adw_combo_row_get_selected (self->orientation_row) == 1;
  s->margin_mm = gtk_spin_button_get_value (self->margin_spin);
  s->title = entry_text (self->title_row);
  s->subtitle = entry_text (self->subtitle_row);
  s->language = MIN (adw_combo_row_get_selected (self->language_row), GIS_LANGUAGE_ES);
  s->crs_id = g_strdup (string_at (self->crs_ids, adw_combo_row_get_selected (self->crs_row)));
  if (s->crs_id == NULL)
    s->crs_id = g_strdup (GIS_CRS_CEC_LAEA_ID);

  if (atlas_enabled (self))
    {
      s->atlas_layer = g_strdup (string_at (self->frame_layers,
                                            adw_combo_row_get_selected (self->atlas_layer_row)));
      s->atlas_field = g_strdup (string_at (self->atlas_fields,
                                            adw_combo_row_get_selected (self->atlas_field_row)));
    }
  else
    switch ((ExtentMode) adw_combo_row_get_selected (self->extent_row))
      {
      case EXTENT_VIEW:
        if (self->view_crs != NULL)
          {
            s->view_crs = gis_crs_ref (self->view_crs);
            s->view_extent = self->view_extent;
          }
        break;
      case EXTENT_FEATURE:
        {
          const char *layer = string_at (self->frame_layers,
                                         adw_combo_row_get_selected (self->feature_layer_row));
          const char *field = string_at (self->feature_fields,
                                         adw_combo_row_get_selected (self->feature_field_row));
          g_autofree char *value = feature_value (self);

          /* until the value is chosen, the page shows all it draws */
          if (layer != NULL && field != NULL && value != NULL)
            {
              s->feature_layer = g_strdup (layer);
              s->feature_field = g_strdup (field);
              s->feature_value = g_steal_pointer (&value);
            }
        }
        break;
      case EXTENT_ALL:
      default:
        break;
      }

  /* the composition draws them in the store's order whatever this one */
  n = self->layer_checks != NULL ? self->layer_checks->len : 0;
  for (guint i = 0; i < n; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->layer_checks, i)))
      g_strv_builder_add (layers, g_ptr_array_index (self->layer_names, i));
  s->layers = g_strv_builder_end (layers);

  s->locator = gtk_switch_get_active (self->locator_switch);
  s->format = MIN (adw_combo_row_get_selected (self->format_row), GIS_COMPOSE_PNG);
  s->dpi = gtk_spin_button_get_value (self->dpi_spin);
  return s;
}

/* ---- the rows ------------------------------------------------------------- */

static GisLayer *
find_layer (AtalayaExportDialog *self,
            const char          *name)
{
  guint n = g_list_model_get_n_items (self->layers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);

      if (g_strcmp0 (gis_layer_get_name (layer), name) == 0)
        return layer;   /* the model keeps it */
    }
  return NULL;
}

/* The fields of @layer_name a page can be titled or a feature found by,
 * in @row; @prefer selected where the layer has it. */
static void
fill_fields (AtalayaExportDialog *self,
             AdwComboRow         *row,
             GPtrArray           *out_names,
             const char          *layer_name,
             const char          *prefer)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  GisLayer *layer = find_layer (self, layer_name);
  guint selected = 0;

  g_ptr_array_set_size (out_names, 0);
  if (layer != NULL)
    {
      g_autoptr(GPtrArray) fields = gis_store_get_fields (self->store, layer, NULL);
      int first_text = -1, preferred = -1;

      for (guint i = 0; fields != NULL && i < fields->len; i++)
        {
          GisField *f = g_ptr_array_index (fields, i);

          if (f->type == GIS_FIELD_BLOB)
            continue;
          if (g_strcmp0 (f->name, prefer) == 0)
            preferred = (int) out_names->len;
          if (f->type == GIS_FIELD_TEXT && first_text < 0)
            first_text = (int) out_names->len;
          gtk_string_list_append (list, f->name);
          g_ptr_array_add (out_names, g_strdup (f->name));
        }
      /* a name field, else the first text one */
      selected = preferred >= 0 ? (guint) preferred : first_text >= 0 ? (guint) first_text : 0;
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, selected);
}

typedef struct
{
  char *store_path;
  char *table;
  char *field;
} ValuesRequest;

static void
values_request_free (ValuesRequest *req)
{
  g_free (req->store_path);
  g_free (req->table);
  g_free (req->field);
  g_free (req);
}

/* The distinct values of a field, sorted, on a worker thread with a store
 * connection of its own. */
static void
values_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ValuesRequest *req = task_data;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCursor) cursor = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *qf = gis_sql_quote_ident (req->field);
  g_autofree char *qt = gis_sql_quote_ident (req->table);
  g_autofree char *sql = NULL;
  GError *error = NULL;

  store = gis_store_open (req->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sql = g_strdup_printf ("SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL ORDER BY 1 LIMIT %d",
                         qf, qt, qf, MAX_VALUES);
  cursor = gis_store_query (store, sql, &error);
  if (cursor == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while (gis_cursor_next (cursor, cancellable, &error))
    {
      const char *text = gis_cursor_get_text (cursor, 0);

      if (text != NULL)
        g_ptr_array_add (values, g_strdup (text));
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&values), (GDestroyNotify) g_ptr_array_unref);
}

static void
values_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AtalayaExportDialog *self = ATALAYA_EXPORT_DIALOG (object);
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) error = NULL;

  values = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_get_cancellable (G_TASK (result)) != self->values_cancellable)
    return;     /* another field was chosen since */
  g_clear_object (&self->values_cancellable);

  self->populating = TRUE;
  if (values != NULL)
    {
      g_ptr_array_add (values, NULL);
      gtk_string_list_splice (self->values_model, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (self->values_model)),
                              (const char *const *) values->pdata);
      adw_action_row_set_subtitle (self->feature_value_row, NULL);
    }
  else
    adw_action_row_set_subtitle (self->feature_value_row, error->message);
  self->populating = FALSE;
  gtk_drop_down_set_selected (self->feature_value_dropdown, 0);
  queue_preview (self);
}

/* Lists the values of the feature field chosen. */
static void
load_values (AtalayaExportDialog *self)
{
  const char *layer_name = string_at (self->frame_layers, adw_combo_row_get_selected (self->feature_layer_row));
  const char *field = string_at (self->feature_fields, adw_combo_row_get_selected (self->feature_field_row));
  GisLayer *layer = find_layer (self, layer_name);
  g_autoptr(GTask) task = NULL;
  ValuesRequest *req;

  if (self->values_cancellable != NULL)
    {
      g_cancellable_cancel (self->values_cancellable);
      g_clear_object (&self->values_cancellable);
    }
  self->populating = TRUE;
  gtk_string_list_splice (self->values_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->values_model)), NULL);
  self->populating = FALSE;
  if (layer == NULL || field == NULL)
    return;

  req = g_new0 (ValuesRequest, 1);
  req->store_path = g_strdup (self->store_path);
  req->table = g_strdup (gis_layer_get_table_name (layer));
  req->field = g_strdup (field);
  self->values_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->values_cancellable, values_cb, NULL);
  g_task_set_source_tag (task, load_values);
  g_task_set_task_data (task, req, (GDestroyNotify) values_request_free);
  g_task_run_in_thread (task, values_thread);
}

static void
update_layers_subtitle (AtalayaExportDialog *self)
{
  guint n = self->layer_checks->len, on = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    on += gtk_check_button_get_active (g_ptr_array_index (self->layer_checks, i));
  /* Translators: "5 of 7 layers" drawn on the exported map */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u layer", "%u of %u layers", n), on, n);
  adw_expander_row_set_subtitle (self->layers_row, text);
}

static void
on_layer_toggled (AtalayaExportDialog *self)
{
  update_layers_subtitle (self);
  queue_preview (self);
}

/* One check row per layer, top first as in the layer panel; the shown
 * layers checked.  A table without geometry has nothing to draw. */
static void
fill_layers (AtalayaExportDialog *self)
{
  guint n = g_list_model_get_n_items (self->layers);

  for (guint k = n; k > 0; k--)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, k - 1);
      GtkWidget *row, *check;

      if (gis_layer_get_geometry_type (layer) == NULL)
        continue;
      check = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), gis_layer_get_visible (layer));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_layer_toggled), self, G_CONNECT_SWAPPED);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gis_layer_get_name (layer));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_expander_row_add_row (self->layers_row, row);
      g_ptr_array_add (self->layer_checks, check);
      g_ptr_array_add (self->layer_names, g_strdup (gis_layer_get_name (layer)));
    }
  update_layers_subtitle (self);
}

/* The layers a page can be framed on: vector layers with geometry; the
 * default is the boundary polygon layer with the most features (the
 * states and provinces rather than the countries). */
static guint
fill_frame_layers (AtalayaExportDialog *self,
                   AdwComboRow         *row)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint n = g_list_model_get_n_items (self->layers);
  guint best = 0;
  gint64 best_count = -1;

  g_ptr_array_set_size (self->frame_layers, 0);
  for (guint k = n; k > 0; k--)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, k - 1);
      const char *type = gis_layer_get_geometry_type (layer);

      if (type == NULL || gis_layer_is_raster (layer))
        continue;
      if (gis_layer_get_role (layer) == GIS_LAYER_ROLE_BOUNDARY && strstr (type, "POLYGON") != NULL &&
          gis_layer_get_feature_count (layer) > best_count)
        {
          best = self->frame_layers->len;
          best_count = gis_layer_get_feature_count (layer);
        }
      gtk_string_list_append (list, gis_layer_get_name (layer));
      g_ptr_array_add (self->frame_layers, g_strdup (gis_layer_get_name (layer)));
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  return best;
}

static void
fill_crs (AtalayaExportDialog *self,
          const char          *crs_id)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  const GisCrsPreset *presets;
  guint n, selected = 0;
  gboolean found = FALSE;

  presets = gis_crs_get_presets (&n);
  for (guint i = 0; i < n; i++)
    found |= g_strcmp0 (presets[i].id, crs_id) == 0;
  /* an EPSG code the map shows that is not a preset comes first */
  if (!found && crs_id != NULL)
    {
      g_autoptr(GisCrs) crs = gis_crs_new (crs_id, NULL);

      if (crs != NULL)
        {
          gtk_string_list_append (list, gis_crs_get_name (crs));
          g_ptr_array_add (self->crs_ids, g_strdup (crs_id));
        }
    }
  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (presets[i].id, crs_id) == 0)
        selected = self->crs_ids->len;
      gtk_string_list_append (list, _(presets[i].label));
      g_ptr_array_add (self->crs_ids, g_strdup (presets[i].id));
    }
  adw_combo_row_set_model (self->crs_row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (self->crs_row, selected);
}

/* Which rows apply: the feature's with that extent, the extent's without
 * an atlas (each page frames its feature), the DPI for PNG. */
static void
update_rows (AtalayaExportDialog *self)
{
  gboolean atlas = adw_expander_row_get_enable_expansion (self->atlas_row);
  gboolean feature = adw_combo_row_get_selected (self->extent_row) == EXTENT_FEATURE;
  GisComposeFormat format = adw_combo_row_get_selected (self->format_row);

  /* an atlas frames each page on its feature */
  gtk_widget_set_visible (GTK_WIDGET (self->extent_row), !atlas);
  gtk_widget_set_visible (GTK_WIDGET (self->feature_layer_row), feature && !atlas);
  gtk_widget_set_visible (GTK_WIDGET (self->feature_field_row), feature && !atlas);
  gtk_widget_set_visible (GTK_WIDGET (self->feature_value_row), feature && !atlas);
  gtk_widget_set_visible (GTK_WIDGET (self->dpi_row), format == GIS_COMPOSE_PNG);

  if (format == GIS_COMPOSE_PNG)
    {
      guint page = MIN (adw_combo_row_get_selected (self->page_size_row), GIS_PAGE_A3);
      gboolean landscape = adw_combo_row_get_selected (self->orientation_row) == 1;
      double dpi = gtk_spin_button_get_value (self->dpi_spin);
      double w, h;
      g_autofree char *text = NULL;

      gis_page_size_get_pt (page, &w, &h);
      if (landscape)
        {
          double t = w;

          w = h;
          h = t;
        }
      /* Translators: the size of the PNG written, "2550 × 3300 pixels" */
      text = g_strdup_printf (_("%ld × %ld pixels"), lround (w * dpi / 72), lround (h * dpi / 72));
      adw_action_row_set_subtitle (self->dpi_row, text);
    }

  if (!atlas)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->format_row),
                                 format == GIS_COMPOSE_PNG ? _("An image at the resolution below")
                                                           : _("Vectors; the text stays text"));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->format_row),
                                 format == GIS_COMPOSE_PDF ? _("One PDF of all the pages")
                                                           : _("One numbered file per page"));
}

/* ---- the preview ---------------------------------------------------------- */

struct _PreviewJob
{
  Settings        *settings;
  char            *store_path;
  char            *load_key;
  GisComposition  *composition;   /* the last job's, loaded, or NULL */
  guint            page;
  int              width_px;
  int              height_px;

  /* results */
  gboolean         loaded;
  cairo_surface_t *surface;
  double           page_width_pt;
  double           page_height_pt;
  guint            n_pages;
  char            *page_title;
  gboolean         has_frame;
  double           frame[4];
  double           load_ms;
  double           total_ms;
};

static void
preview_job_free (PreviewJob *job)
{
  settings_free (job->settings);
  g_free (job->store_path);
  g_free (job->load_key);
  g_clear_object (&job->composition);
  g_clear_pointer (&job->surface, cairo_surface_destroy);
  g_free (job->page_title);
  g_free (job);
}

/* The page fitted in @avail_w × @avail_h pixels. */
static void
fit_page (double  page_w,
          double  page_h,
          int     avail_w,
          int     avail_h,
          int    *out_w,
          int    *out_h)
{
  double s = MIN (avail_w / page_w, avail_h / page_h);

  *out_w = MAX (1, (int) floor (page_w * s));
  *out_h = MAX (1, (int) floor (page_h * s));
}

static void
preview_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  gint64 start = g_get_monotonic_time ();
  GError *error = NULL;
  GisViewState view;
  cairo_t *cr;
  int w, h;
  gboolean ok;

  if (job->composition == NULL)
    {
      job->composition = settings_new_composition (job->settings, job->store_path, &error);
      if (job->composition == NULL ||
          !gis_composition_load (job->composition, cancellable, NULL, NULL, &error))
        {
          g_clear_object (&job->composition);
          g_task_return_error (task, error);
          return;
        }
      job->load_ms = (g_get_monotonic_time () - start) / 1000.0;
    }
  else
    settings_apply_page (job->settings, job->composition);
  job->loaded = TRUE;

  job->n_pages = gis_composition_get_n_pages (job->composition);
  job->page = MIN (job->page, job->n_pages - 1);
  gis_composition_get_page_pt (job->composition, &job->page_width_pt, &job->page_height_pt);
  fit_page (job->page_width_pt, job->page_height_pt, job->width_px, job->height_px, &w, &h);

  job->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cr = cairo_create (job->surface);
  cairo_scale (cr, w / job->page_width_pt, h / job->page_height_pt);
  ok = gis_composition_draw_page (job->composition, cr, job->page, FALSE, cancellable, &error);
  cairo_destroy (cr);
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  cairo_surface_flush (job->surface);

  job->page_title = gis_composition_dup_page_title (job->composition, job->page);
  job->has_frame = gis_composition_get_map_frame (job->composition, job->page, &job->frame[0], &job->frame[1],
                                                  &view, NULL);
  job->frame[2] = view.width_px;
  job->frame[3] = view.height_px;
  job->total_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_task_return_boolean (task, TRUE);
}

static void
update_page_bar (AtalayaExportDialog *self)
{
  g_autofree char *text = NULL;

  if (self->n_pages > 1)
    /* Translators: under the preview of an atlas: "Page 3 of 97: Texas" */
    text = g_strdup_printf (_("Page %u of %u: %s"), self->page + 1, self->n_pages,
                            self->page_title != NULL ? self->page_title : "");
  else if (self->preview_surface != NULL)
    {
      double w_in = self->page_width_pt / 72, h_in = self->page_height_pt / 72;

      /* Translators: under the preview: the page's size, "8.5 × 11 in, 215.9 × 279.4 mm" */
      text = g_strdup_printf (_("%.4g × %.4g in, %.1f × %.1f mm"), w_in, h_in, w_in * 25.4, h_in * 25.4);
    }
  gtk_label_set_text (self->page_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->prev_page_button), self->n_pages > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->next_page_button), self->n_pages > 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->prev_page_button), self->page > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_page_button), self->page + 1 < self->n_pages);
}

static void
update_busy (AtalayaExportDialog *self)
{
  gboolean exporting = self->export_job != NULL;
  gboolean previewing = self->preview_job != NULL;

  gtk_spinner_set_spinning (self->preview_spinner, previewing);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_spinner), previewing);
  gtk_widget_set_sensitive (self->settings_box, !exporting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->page_box), !exporting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), !exporting && self->preview_error == NULL);
  gtk_button_set_label (self->cancel_button, exporting ? _("_Stop") : _("_Cancel"));
}

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AtalayaExportDialog *self = ATALAYA_EXPORT_DIALOG (object);
  PreviewJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self->preview_job != job)
    return;     /* the dialog is gone */
  self->preview_job = NULL;
  g_clear_object (&self->preview_cancellable);

  /* keep the loaded composition for the next job */
  if (job->loaded && job->composition != NULL)
    {
      g_set_object (&self->composition, job->composition);
      g_free (self->composition_key);
      self->composition_key = g_strdup (job->load_key);
    }

  if (ok)
    {
      g_clear_pointer (&self->preview_surface, cairo_surface_destroy);
      self->preview_surface = g_steal_pointer (&job->surface);
      self->page_width_pt = job->page_width_pt;
      self->page_height_pt = job->page_height_pt;
      self->n_pages = job->n_pages;
      self->page = job->page;
      g_free (self->page_title);
      self->page_title = g_steal_pointer (&job->page_title);
      self->has_frame = job->has_frame;
      self->frame_x_pt = job->frame[0];
      self->frame_y_pt = job->frame[1];
      self->frame_width_pt = job->frame[2];
      self->frame_height_pt = job->frame[3];
      self->preview_ms = job->total_ms;
      self->preview_load_ms = job->load_ms;
      g_clear_error (&self->preview_error);
      gtk_widget_set_visible (GTK_WIDGET (self->preview_error_label), FALSE);
      g_debug ("preview of %d × %d px in %.0f ms (%.0f ms reading the store)",
               cairo_image_surface_get_width (self->preview_surface),
               cairo_image_surface_get_height (self->preview_surface), job->total_ms, job->load_ms);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&self->preview_surface, cairo_surface_destroy);
      self->n_pages = 0;
      g_clear_error (&self->preview_error);
      self->preview_error = g_steal_pointer (&error);
      gtk_label_set_text (self->preview_error_label, self->preview_error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->preview_error_label), TRUE);
    }

  gtk_widget_queue_draw (GTK_WIDGET (self->preview_area));
  update_page_bar (self);
  update_busy (self);

  if (self->preview_again)
    start_preview (self);
}

/* The preview's size in device pixels: the area less its padding. */
static void
preview_target_size (AtalayaExportDialog *self,
                     int                 *out_w,
                     int                 *out_h)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self->preview_area));
  int w = gtk_widget_get_width (GTK_WIDGET (self->preview_area));
  int h = gtk_widget_get_height (GTK_WIDGET (self->preview_area));

  /* not allocated yet: a size of its own */
  if (w <= 1 || h <= 1)
    {
      w = 560;
      h = 640;
    }
  *out_w = MAX (16, w - 2 * PREVIEW_PADDING_PX) * scale;
  *out_h = MAX (16, h - 2 * PREVIEW_PADDING_PX) * scale;
}

static void
start_preview (AtalayaExportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  PreviewJob *job;

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->preview_again = FALSE;
  if (self->export_job != NULL)
    return;     /* the export comes first; a preview follows it */
  if (self->preview_job != NULL)
    {
      /* one at a time: stop this one, start again when it returns */
      self->preview_again = TRUE;
      g_cancellable_cancel (self->preview_cancellable);
      return;
    }

  job = g_new0 (PreviewJob, 1);
  job->settings = read_settings (self);
  job->store_path = g_strdup (self->store_path);
  job->load_key = settings_load_key (job->settings);
  job->page = self->page;
  preview_target_size (self, &job->width_px, &job->height_px);
  if (self->composition != NULL && g_strcmp0 (self->composition_key, job->load_key) == 0)
    job->composition = g_steal_pointer (&self->composition);
  g_clear_object (&self->composition);
  g_clear_pointer (&self->composition_key, g_free);

  self->preview_job = job;
  self->preview_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->preview_cancellable, preview_cb, NULL);
  g_task_set_source_tag (task, start_preview);
  g_task_set_task_data (task, job, (GDestroyNotify) preview_job_free);
  g_task_run_in_thread (task, preview_thread);
  update_busy (self);
}

static gboolean
debounce_cb (gpointer data)
{
  AtalayaExportDialog *self = data;

  self->debounce_id = 0;
  start_preview (self);
  return G_SOURCE_REMOVE;
}

/* A preview a moment after the last edit. */
static void
queue_preview (AtalayaExportDialog *self)
{
  if (self->populating)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounce_cb, self);
}

/* The page centred, on a shadow; scaled while a new size renders. */
static void
draw_preview (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  AtalayaExportDialog *self = user_data;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (area));
  double sw, sh, w, h, x, y;
  int fw, fh;

  if (self->preview_surface == NULL)
    return;
  sw = cairo_image_surface_get_width (self->preview_surface);
  sh = cairo_image_surface_get_height (self->preview_surface);
  fit_page (sw, sh, MAX (16, width - 2 * PREVIEW_PADDING_PX), MAX (16, height - 2 * PREVIEW_PADDING_PX),
            &fw, &fh);
  w = fw;
  h = fh;
  x = floor ((width - w) / 2);
  y = floor ((height - h) / 2);

  /* a soft shadow under the paper */
  for (int i = 1; i <= 4; i++)
    {
      cairo_set_source_rgba (cr, 0, 0, 0, 0.05);
      cairo_rectangle (cr, x - i + 2, y - i + 3, w + 2 * i - 2, h + 2 * i - 2);
      cairo_fill (cr);
    }

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, w / sw, h / sh);
  cairo_set_source_surface (cr, self->preview_surface, 0, 0);
  if (fabs (w * scale - sw) < 0.5)
    cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);

  cairo_set_source_rgba (cr, 0, 0, 0, 0.25);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, x - 0.5, y - 0.5, w + 1, h + 1);
  cairo_stroke (cr);
}

static void
on_preview_resized (AtalayaExportDialog *self,
                    int                  width,
                    int                  height,
                    GtkDrawingArea      *area)
{
  int w, h, fw, fh;

  if (self->preview_surface == NULL || self->page_width_pt <= 0)
    return;
  preview_target_size (self, &w, &h);
  fit_page (self->page_width_pt, self->page_height_pt, w, h, &fw, &fh);
  if (fw != cairo_image_surface_get_width (self->preview_surface) ||
      fh != cairo_image_surface_get_height (self->preview_surface))
    queue_preview (self);
}

/* ---- the export ----------------------------------------------------------- */

struct _ExportJob
{
  GWeakRef        dialog;
  GCancellable   *cancellable;
  char           *path;
  gint64          start_us;

  GMutex          lock;           /* guards the progress, written by the worker */
  double          fraction;
  char           *message;
};

static void
export_job_clear (gpointer data)
{
  ExportJob *job = data;

  g_weak_ref_clear (&job->dialog);
  g_clear_object (&job->cancellable);
  g_free (job->path);
  g_mutex_clear (&job->lock);
  g_free (job->message);
}

static void
export_job_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, export_job_clear);
}

/* On the worker thread: the main thread reads it on a timer. */
static void
export_progress (double      fraction,
                 const char *message,
                 gpointer    data)
{
  ExportJob *job = data;

  g_mutex_lock (&job->lock);
  job->fraction = fraction;
  if (message != NULL && g_strcmp0 (message, job->message) != 0)
    {
      g_free (job->message);
      job->message = g_strdup (message);
    }
  g_mutex_unlock (&job->lock);
}

static gboolean
progress_tick (gpointer data)
{
  AtalayaExportDialog *self = data;
  ExportJob *job = self->export_job;
  g_autofree char *message = NULL;
  double fraction;

  if (job == NULL)
    {
      self->progress_id = 0;
      return G_SOURCE_REMOVE;
    }
  g_mutex_lock (&job->lock);
  fraction = job->fraction;
  message = g_strdup (job->message);
  g_mutex_unlock (&job->lock);

  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  if (message != NULL && !g_cancellable_is_cancelled (job->cancellable))
    gtk_progress_bar_set_text (self->progress_bar, message);
  return G_SOURCE_CONTINUE;
}

static void
set_status (AtalayaExportDialog *self,
            const char          *text,
            gboolean             is_error)
{
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_revealer_set_reveal_child (self->status_revealer,
                                 text != NULL || gtk_widget_get_visible (GTK_WIDGET (self->progress_bar)));
}

/**
 * atalaya_export_dialog_describe_files:
 * @files: (array zero-terminated=1): the files an export wrote
 *
 * Returns: (transfer full): "Map exported to map.pdf", or for an atlas's
 *   numbered files the first and the last
 */
char *
atalaya_export_dialog_describe_files (const char *const *files)
{
  guint n = files != NULL ? g_strv_length ((char **) files) : 0;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  g_return_val_if_fail (n > 0, NULL);

  first = g_filename_display_basename (files[0]);
  if (n == 1)
    return g_strdup_printf (_("Map exported to %s"), first);
  last = g_filename_display_basename (files[n - 1]);
  /* Translators: an atlas of numbered files: "Map exported to 97 files,
   * state-001.png to state-097.png" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Map exported to %u file, %s to %s",
                                       "Map exported to %u files, %s to %s", n),
                          n, first, last);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ExportJob *job = user_data;
  g_autoptr(AtalayaExportDialog) self = g_weak_ref_get (&job->dialog);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;

  files = gis_composition_export_finish (GIS_COMPOSITION (object), result, &error);
  if (self == NULL || self->export_job != job)
    {
      export_job_release (job);
      return;   /* closed: the export was cancelled unseen */
    }
  self->export_seconds = (g_get_monotonic_time () - job->start_us) / 1e6;
  g_clear_pointer (&self->export_job, export_job_release);
  export_job_release (job);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  update_busy (self);

  if (files != NULL)
    {
      g_debug ("exported %u files in %.2f s", files->len, self->export_seconds);
      g_ptr_array_add (files, NULL);
      set_status (self, NULL, FALSE);
      g_signal_emit (self, signals[EXPORTED], 0, (const char *const *) files->pdata);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_status (self, _("Export stopped: no file was written."), FALSE);
  else
    set_status (self, error->message, TRUE);
  /* the composition went with the export: the next preview loads anew */
  queue_preview (self);
}

/**
 * atalaya_export_dialog_export_to:
 * @self: an export dialog
 * @file: the file to write (an atlas in SVG or PNG numbers its pages
 *   before the extension)
 *
 * Exports the page as set, as the Export button does once a file is
 * chosen: on a worker thread, with progress and the Stop button.  On
 * success ::exported is emitted and the dialog closes.
 */
void
atalaya_export_dialog_export_to (AtalayaExportDialog *self,
                                 GFile               *file)
{
  g_autoptr(Settings) settings = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GisComposition) composition = NULL;
  g_autoptr(GError) error = NULL;
  ExportJob *job;

  g_return_if_fail (ATALAYA_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->export_job != NULL)
    return;

  /* previews wait for the export */
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->preview_again = FALSE;
  if (self->preview_job != NULL)
    g_cancellable_cancel (self->preview_cancellable);

  settings = read_settings (self);
  key = settings_load_key (settings);
  if (self->composition != NULL && g_strcmp0 (self->composition_key, key) == 0)
    {
      /* no thread has it: the preview's, loaded already */
      composition = g_steal_pointer (&self->composition);
      settings_apply_page (settings, composition);
    }
  else
    composition = settings_new_composition (settings, self->store_path, &error);
  g_clear_object (&self->composition);
  g_clear_pointer (&self->composition_key, g_free);
  if (composition == NULL)
    {
      set_status (self, error->message, TRUE);
      return;
    }

  job = g_atomic_rc_box_new0 (ExportJob);
  g_weak_ref_init (&job->dialog, self);
  job->cancellable = g_cancellable_new ();
  job->path = g_file_get_path (file);
  job->start_us = g_get_monotonic_time ();
  g_mutex_init (&job->lock);
  job->fraction = -1;
  job->message = g_strdup (_("Reading the layers…"));
  self->export_job = job;

  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, job->message);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  set_status (self, NULL, FALSE);
  self->progress_id = g_timeout_add (PROGRESS_TICK_MS, progress_tick, self);
  update_busy (self);

  /* the job lives until the callback, which releases this reference */
  gis_composition_export_async (composition, job->path, settings->format, settings->dpi, job->cancellable,
                                export_progress, job, export_cb, g_atomic_rc_box_acquire (job));
}

static const char *const format_extensions[] = { ".pdf", ".svg", ".png" };

static void
chooser_response_cb (AtalayaExportDialog  *self,
                     int                   response,
                     GtkFileChooserNative *native)
{
  GisComposeFormat format = MIN (adw_combo_row_get_selected (self->format_row), GIS_COMPOSE_PNG);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autofree char *lower = path != NULL ? g_ascii_strdown (path, -1) : NULL;

      if (path != NULL && !g_str_has_suffix (lower, format_extensions[format]))
        {
          g_autofree char *with_ext = g_strconcat (path, format_extensions[format], NULL);

          g_clear_object (&file);
          file = g_file_new_for_path (with_ext);
        }
      if (file != NULL)
        atalaya_export_dialog_export_to (self, file);
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  if (self->chooser == native)
    g_clear_object (&self->chooser);
}

/* A file name from the title: "Coverage of ports.pdf". */
static char *
suggested_name (AtalayaExportDialog *self,
                GisComposeFormat     format)
{
  g_autofree char *title = entry_text (self->title_row);
  /* Translators: the file name offered for an exported map, before its
   * extension; use characters that are safe in file names */
  g_autofree char *base = g_strdup (title != NULL ? title : _("map"));

  g_strdelimit (base, "/\\:*?\"<>|", '-');
  return g_strconcat (base, format_extensions[format], NULL);
}

static void
on_export_button_clicked (AtalayaExportDialog *self)
{
  static const char *const filter_names[] = { N_("PDF documents"), N_("SVG images"), N_("PNG images") };
  GisComposeFormat format = MIN (adw_combo_row_get_selected (self->format_row), GIS_COMPOSE_PNG);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = suggested_name (self, format);
  g_autoptr(GFile) store_file = g_file_new_for_path (self->store_path);
  g_autoptr(GFile) folder = g_file_get_parent (store_file);

  if (self->export_job != NULL)
    return;
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  self->chooser = gtk_file_chooser_native_new (_("Export Map"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _(filter_names[format]));
  gtk_file_filter_add_suffix (filter, format_extensions[format] + 1);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- signal handlers ------------------------------------------------------- */

static void
on_cancel_button_clicked (AtalayaExportDialog *self)
{
  if (self->export_job != NULL)
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Stopping…"));
      g_cancellable_cancel (self->export_job->cancellable);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_setting_changed (AtalayaExportDialog *self)
{
  update_rows (self);
  queue_preview (self);
}

static void
on_format_changed (AtalayaExportDialog *self)
{
  /* the page looks the same in every format */
  update_rows (self);
}

static void
on_extent_changed (AtalayaExportDialog *self)
{
  if (adw_combo_row_get_selected (self->extent_row) == EXTENT_FEATURE &&
      g_list_model_get_n_items (G_LIST_MODEL (self->values_model)) == 0 && self->values_cancellable == NULL)
    load_values (self);
  on_setting_changed (self);
}

static void
on_feature_layer_changed (AtalayaExportDialog *self)
{
  if (self->populating)
    return;
  self->populating = TRUE;
  fill_fields (self, self->feature_field_row, self->feature_fields,
               string_at (self->frame_layers, adw_combo_row_get_selected (self->feature_layer_row)), "name");
  self->populating = FALSE;
  load_values (self);
  on_setting_changed (self);
}

static void
on_feature_field_changed (AtalayaExportDialog *self)
{
  if (self->populating)
    return;
  load_values (self);
  on_setting_changed (self);
}

static void
on_atlas_layer_changed (AtalayaExportDialog *self)
{
  if (self->populating)
    return;
  self->populating = TRUE;
  fill_fields (self, self->atlas_field_row, self->atlas_fields,
               string_at (self->frame_layers, adw_combo_row_get_selected (self->atlas_layer_row)), "name");
  self->populating = FALSE;
  self->page = 0;
  on_setting_changed (self);
}

static void
on_atlas_toggled (AtalayaExportDialog *self)
{
  self->page = 0;
  on_setting_changed (self);
}

static void
on_prev_page_clicked (AtalayaExportDialog *self)
{
  if (self->page > 0)
    {
      self->page--;
      update_page_bar (self);
      start_preview (self);
    }
}

static void
on_next_page_clicked (AtalayaExportDialog *self)
{
  if (self->page + 1 < self->n_pages)
    {
      self->page++;
      update_page_bar (self);
      start_preview (self);
    }
}

/* ---- GObject ---------------------------------------------------------------- */

static void
stop_jobs (AtalayaExportDialog *self)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  self->preview_again = FALSE;
  if (self->preview_job != NULL)
    {
      g_cancellable_cancel (self->preview_cancellable);
      self->preview_job = NULL;   /* its task drops it */
    }
  g_clear_object (&self->preview_cancellable);
  if (self->export_job != NULL)
    {
      /* the export removes what it wrote */
      g_cancellable_cancel (self->export_job->cancellable);
      g_clear_pointer (&self->export_job, export_job_release);
    }
  if (self->values_cancellable != NULL)
    {
      g_cancellable_cancel (self->values_cancellable);
      g_clear_object (&self->values_cancellable);
    }
}

static gboolean
atalaya_export_dialog_close_request (GtkWindow *window)
{
  stop_jobs (ATALAYA_EXPORT_DIALOG (window));

  return GTK_WINDOW_CLASS (atalaya_export_dialog_parent_class)->close_request (window);
}

static void
atalaya_export_dialog_dispose (GObject *object)
{
  AtalayaExportDialog *self = ATALAYA_EXPORT_DIALOG (object);

  stop_jobs (self);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_EXPORT_DIALOG);

  g_clear_object (&self->store);
  g_clear_object (&self->layers);
  g_clear_object (&self->values_model);
  g_clear_object (&self->composition);
  g_clear_pointer (&self->preview_surface, cairo_surface_destroy);

  G_OBJECT_CLASS (atalaya_export_dialog_parent_class)->dispose (object);
}

static void
atalaya_export_dialog_finalize (GObject *object)
{
  AtalayaExportDialog *self = ATALAYA_EXPORT_DIALOG (object);

  g_free (self->store_path);
  g_clear_pointer (&self->view_crs, gis_crs_unref);
  g_ptr_array_unref (self->crs_ids);
  g_ptr_array_unref (self->layer_names);
  g_ptr_array_unref (self->layer_checks);
  g_ptr_array_unref (self->frame_layers);
  g_ptr_array_unref (self->feature_fields);
  g_ptr_array_unref (self->atlas_fields);
  g_free (self->composition_key);
  g_free (self->page_title);
  g_clear_error (&self->preview_error);

  G_OBJECT_CLASS (atalaya_export_dialog_parent_class)->finalize (object);
}

static void
atalaya_export_dialog_class_init (AtalayaExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = atalaya_export_dialog_dispose;
  object_class->finalize = atalaya_export_dialog_finalize;
  window_class->close_request = atalaya_export_dialog_close_request;

  /**
   * AtalayaExportDialog::exported:
   * @self: the dialog
   * @files: (array zero-terminated=1): the files written
   *
   * The export is done; the dialog closes next.
   */
  signals[EXPORTED] = g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/atalaya/Atalaya/ui/atalaya-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, settings_box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, subtitle_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, language_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, page_size_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, orientation_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, margin_spin);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, crs_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, extent_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, feature_layer_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, feature_field_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, feature_value_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, feature_value_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, layers_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, locator_switch);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, atlas_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, atlas_layer_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, atlas_field_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, dpi_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, dpi_spin);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, preview_area);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, preview_spinner);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, preview_error_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, page_box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, prev_page_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, next_page_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, page_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AtalayaExportDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_export_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_setting_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_format_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_extent_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_feature_layer_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_feature_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_atlas_layer_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_atlas_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_preview_resized);
  gtk_widget_class_bind_template_callback (widget_class, on_prev_page_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_page_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
atalaya_export_dialog_init (AtalayaExportDialog *self)
{
  self->populating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->populating = FALSE;

  self->crs_ids = g_ptr_array_new_with_free_func (g_free);
  self->layer_names = g_ptr_array_new_with_free_func (g_free);
  self->layer_checks = g_ptr_array_new ();
  self->frame_layers = g_ptr_array_new_with_free_func (g_free);
  self->feature_fields = g_ptr_array_new_with_free_func (g_free);
  self->atlas_fields = g_ptr_array_new_with_free_func (g_free);
  self->values_model = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->feature_value_dropdown, G_LIST_MODEL (self->values_model));
  gtk_drawing_area_set_draw_func (self->preview_area, draw_preview, self, NULL);
}

/**
 * atalaya_export_dialog_new:
 * @parent: the window, which the dialog keeps modal
 * @store: the window's store (read on the main thread for field lists;
 *   the pages are composed from its file on workers)
 * @layers: its layers in drawing order, bottom first: the shown ones are
 *   drawn by default
 * @crs_id: the map's display CRS, the page's by default
 * @view_extent: (nullable): the box the map shows, in that CRS: the
 *   page's extent by default
 *
 * Returns: (transfer none): a new dialog, owned by GTK's toplevels
 */
AtalayaExportDialog *
atalaya_export_dialog_new (GtkWindow       *parent,
                           GisStore        *store,
                           GListModel      *layers,
                           const char      *crs_id,
                           const GisExtent *view_extent)
{
  AtalayaExportDialog *self;
  g_autofree char *basename = NULL;
  guint best;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (layers), NULL);

  self = g_object_new (ATALAYA_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->store_path = g_strdup (gis_store_get_path (store));
  self->layers = g_object_ref (layers);
  if (view_extent != NULL && !gis_extent_is_empty (view_extent) && crs_id != NULL)
    {
      self->view_crs = gis_crs_new (crs_id, NULL);
      self->view_extent = *view_extent;
    }
  basename = g_filename_display_basename (self->store_path);
  adw_window_title_set_subtitle (self->window_title, basename);

  self->populating = TRUE;
  fill_crs (self, crs_id);
  fill_layers (self);
  best = fill_frame_layers (self, self->feature_layer_row);
  adw_combo_row_set_selected (self->feature_layer_row, best);
  fill_fields (self, self->feature_field_row, self->feature_fields, string_at (self->frame_layers, best), "name");
  fill_frame_layers (self, self->atlas_layer_row);
  adw_combo_row_set_selected (self->atlas_layer_row, best);
  fill_fields (self, self->atlas_field_row, self->atlas_fields, string_at (self->frame_layers, best), "name");
  gtk_widget_set_sensitive (GTK_WIDGET (self->atlas_row), self->frame_layers->len > 0);
  adw_combo_row_set_selected (self->extent_row, self->view_crs != NULL ? EXTENT_VIEW : EXTENT_ALL);
  self->populating = FALSE;

  update_rows (self);
  update_page_bar (self);
  /* once the dialog has its size */
  queue_preview (self);
  return self;
}

/**
 * atalaya_export_dialog_get_exporting:
 * @self: an export dialog
 *
 * Returns: whether an export runs
 */
gboolean
atalaya_export_dialog_get_exporting (AtalayaExportDialog *self)
{
  g_return_val_if_fail (ATALAYA_IS_EXPORT_DIALOG (self), FALSE);

  return self->export_job != NULL;
}

/**
 * atalaya_export_dialog_get_previewing:
 * @self: an export dialog
 *
 * Returns: whether a preview is due or being drawn
 */
gboolean
atalaya_export_dialog_get_previewing (AtalayaExportDialog *self)
{
  g_return_val_if_fail (ATALAYA_IS_EXPORT_DIALOG (self), FALSE);

  return self->preview_job != NULL || self->debounce_id != 0;
}
