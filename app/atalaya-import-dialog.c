/* atalaya-import-dialog.c: bring a vector file into the store
 *
 * The dialog previews a file on a worker thread (gis_import_preview(),
 * which shares the importer's column detection), lets the user map its
 * columns, then imports it on another worker thread with its own store
 * connection: one GisStore belongs to one thread, and the window keeps
 * its own.  Progress comes back to the main thread through an idle
 * source, coalesced: the worker only stores the latest value and
 * schedules an idle when none is pending and the last one is 50 ms old.
 *
 * A newer preview cancels an older one; closing the dialog cancels an
 * import, which leaves the store as it was (gis_store_import() is one
 * transaction).  A finished task whose job is no longer the dialog's
 * current one is dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-import-dialog"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <string.h>

#include "atalaya-import-dialog.h"

#define PREVIEW_ROWS       20
#define PROGRESS_EVERY_US  (50 * G_TIME_SPAN_MILLISECOND)
#define MAX_LISTED_ROWS    2000

/* The roles offered, in this order. */
static const GisLayerRole offered_roles[] = {
  GIS_LAYER_ROLE_BOUNDARY,
  GIS_LAYER_ROLE_PORT,
  GIS_LAYER_ROLE_FACILITY,
  GIS_LAYER_ROLE_HABITAT,
  GIS_LAYER_ROLE_INCIDENT,
  GIS_LAYER_ROLE_RESOURCE,
  GIS_LAYER_ROLE_ZONE,
  GIS_LAYER_ROLE_OTHER,
};

/* ---- an import running on a worker thread ---------------------------------- */

typedef struct
{
  char             *store_path;
  char             *path;
  GisImportOptions *options;
  GCancellable     *cancellable;
  GMainContext     *context;       /* the dialog's */
  GWeakRef          dialog;

  GMutex            lock;          /* guards the progress fields */
  double            fraction;
  char             *message;
  gboolean          idle_pending;
  gint64            last_post_us;

  GisImportReport  *report;        /* written by the worker, read when done */
} ImportJob;

static void
import_job_clear (gpointer data)
{
  ImportJob *job = data;

  g_free (job->store_path);
  g_free (job->path);
  gis_import_options_free (job->options);
  g_clear_object (&job->cancellable);
  g_main_context_unref (job->context);
  g_weak_ref_clear (&job->dialog);
  g_mutex_clear (&job->lock);
  g_free (job->message);
  gis_import_report_free (job->report);
}

static void
import_job_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, import_job_clear);
}

/* ---- the dialog ---------------------------------------------------------------- */

struct _AtalayaImportDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *cancel_button;
  GtkButton            *import_button;
  GtkWidget            *content_box;
  AdwActionRow         *file_row;
  GtkButton            *choose_button;
  AdwComboRow          *source_layer_row;
  AdwActionRow         *summary_row;
  GtkStack             *preview_stack;
  GtkSpinner           *preview_spinner;
  GtkLabel             *preview_error_label;
  GtkGrid              *preview_grid;
  GtkWidget            *geometry_group;
  AdwComboRow          *x_row;
  AdwComboRow          *y_row;
  AdwComboRow          *wkt_row;
  GtkSwitch            *decimal_comma_switch;
  GtkWidget            *columns_group;
  AdwComboRow          *date_row;
  AdwEntryRow          *date_format_row;
  AdwActionRow         *date_example_row;
  AdwComboRow          *category_row;
  AdwComboRow          *severity_row;
  AdwComboRow          *country_row;
  GtkWidget            *layer_group;
  AdwEntryRow          *layer_name_row;
  AdwComboRow          *role_row;
  AdwEntryRow          *crs_row;
  GtkSwitch            *skip_switch;
  GtkRevealer          *status_revealer;
  GtkProgressBar       *progress_bar;
  GtkLabel             *status_label;
  GtkLabel             *hint_label;
  GtkWidget            *rejected_scroller;
  GtkStringList        *rejected_rows;

  /* Owned */
  char                 *store_path;
  GFile                *file;
  GisImportPreview     *preview;
  GStrv                 existing_names;
  char                 *suggested_name;       /* the name proposed last */
  GtkStringList        *columns_model;        /* "None", then the columns */
  GtkStringList        *source_layers_model;
  GtkStringList        *roles_model;
  GCancellable         *preview_cancellable;
  ImportJob            *job;                  /* while importing */
  GtkFileChooserNative *chooser;
  gboolean              populating;           /* widgets being set from a preview */
  gboolean              finished;             /* imported with skipped rows */
};

G_DEFINE_FINAL_TYPE (AtalayaImportDialog, atalaya_import_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE_PATH,
  PROP_FILE,
  PROP_PREVIEW,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void atalaya_import_dialog_start_preview (AtalayaImportDialog *self,
                                                 gboolean             keep_choices);

/* ---- column choices ------------------------------------------------------------ */

/* The column chosen in @row, or NULL for "None". */
static const char *
combo_get_column (AtalayaImportDialog *self,
                  AdwComboRow         *row)
{
  guint selected = adw_combo_row_get_selected (row);

  if (selected == GTK_INVALID_LIST_POSITION || selected == 0)
    return NULL;
  return gtk_string_list_get_string (self->columns_model, selected);
}

/* Selects the column @name in @row, or "None". */
static void
combo_set_column (AtalayaImportDialog *self,
                  AdwComboRow         *row,
                  const char          *name)
{
  int column = -1;

  if (self->preview != NULL && name != NULL)
    column = gis_import_preview_find_column (self->preview, name);
  adw_combo_row_set_selected (row, column >= 0 ? (guint) column + 1 : 0);
}

static GisLayerRole
get_role (AtalayaImportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->role_row);

  if (selected >= G_N_ELEMENTS (offered_roles))
    return GIS_LAYER_ROLE_OTHER;
  return offered_roles[selected];
}

static gboolean
name_exists (AtalayaImportDialog *self,
             const char          *name)
{
  return self->existing_names != NULL &&
         g_strv_contains ((const char * const *) self->existing_names, name);
}

static char *
unique_layer_name (AtalayaImportDialog *self,
                   const char          *base)
{
  char *name = g_strdup (base);

  for (guint i = 2; name_exists (self, name); i++)
    {
      g_free (name);
      /* Translators: a layer name made unique: "ports 2" */
      name = g_strdup_printf (C_("layer name", "%s %u"), base, i);
    }
  return name;
}

static char *
get_layer_name (AtalayaImportDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->layer_name_row))));
}

/* ---- state ----------------------------------------------------------------------- */

static gboolean
atalaya_import_dialog_is_importing (AtalayaImportDialog *self)
{
  return self->job != NULL;
}

static void
set_css_class (GtkWidget  *widget,
               const char *css_class,
               gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

/* Shows in the example row what the date column's first value becomes. */
static void
update_date_example (AtalayaImportDialog *self)
{
  const char *date_column = combo_get_column (self, self->date_row);
  const char *format = gtk_editable_get_text (GTK_EDITABLE (self->date_format_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *subtitle = NULL;
  const char *sample = NULL;
  int column;

  gtk_widget_set_sensitive (GTK_WIDGET (self->date_format_row), date_column != NULL);
  if (date_column == NULL || self->preview == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->date_example_row), FALSE);
      return;
    }

  column = gis_import_preview_find_column (self->preview, date_column);
  for (guint row = 0; column >= 0 && row < gis_import_preview_get_n_rows (self->preview); row++)
    {
      const char *value = gis_import_preview_get_value (self->preview, row, (guint) column);

      if (value != NULL && *value != '\0')
        {
          sample = value;
          break;
        }
    }

  if (sample == NULL)
    subtitle = g_strdup (_("The first rows have no date"));
  else if ((iso = gis_import_preview_parse_date (sample, format, &error)) != NULL)
    /* Translators: a date as the file writes it, and as it will be stored */
    subtitle = g_strdup_printf (_("“%s” becomes %s"), sample, iso);
  else
    subtitle = g_strdup (error->message);

  adw_action_row_set_subtitle (self->date_example_row, subtitle);
  set_css_class (GTK_WIDGET (self->date_example_row), "error", sample != NULL && iso == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->date_example_row), TRUE);
}

/* Why the import cannot start, or NULL when it can. */
static const char *
import_blocker (AtalayaImportDialog *self)
{
  g_autofree char *name = NULL;

  if (self->file == NULL)
    return _("Choose a file to import");
  if (self->preview == NULL)
    return _("The file has not been read yet");

  if (gis_import_preview_is_csv (self->preview) &&
      combo_get_column (self, self->wkt_row) == NULL)
    {
      const char *x = combo_get_column (self, self->x_row);
      const char *y = combo_get_column (self, self->y_row);

      if (x == NULL || y == NULL)
        return _("Choose the longitude and latitude columns, or the WKT column");
      if (strcmp (x, y) == 0)
        return _("Longitude and latitude must be two different columns");
    }

  name = get_layer_name (self);
  if (*name == '\0')
    return _("Name the new layer");
  if (name_exists (self, name))
    return _("The store already has a layer of this name");
  return NULL;
}

static void
atalaya_import_dialog_update_state (AtalayaImportDialog *self)
{
  gboolean importing = atalaya_import_dialog_is_importing (self);
  const char *blocker;
  g_autofree char *name = NULL;

  if (self->populating)
    return;

  blocker = import_blocker (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button),
                            blocker == NULL && !importing && !self->finished);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button), importing ? NULL : blocker);
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), !self->finished);
  gtk_button_set_label (self->cancel_button, self->finished ? _("_Close") : _("_Cancel"));
  gtk_widget_set_sensitive (self->content_box, !importing && !self->finished);

  /* Coordinates are read from WKT when there is a WKT column. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->x_row), combo_get_column (self, self->wkt_row) == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->y_row), combo_get_column (self, self->wkt_row) == NULL);

  name = get_layer_name (self);
  set_css_class (GTK_WIDGET (self->layer_name_row), "error", self->preview != NULL &&
                 (*name == '\0' || name_exists (self, name)));

  update_date_example (self);
}

static void
atalaya_import_dialog_notify_busy (AtalayaImportDialog *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
clear_status (AtalayaImportDialog *self)
{
  gtk_revealer_set_reveal_child (self->status_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_label_set_text (self->status_label, "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), FALSE);
  gtk_string_list_splice (self->rejected_rows, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->rejected_rows)), NULL);
  gtk_widget_set_visible (self->rejected_scroller, FALSE);
}

static void
show_status (AtalayaImportDialog *self,
             const char          *text,
             gboolean             is_error)
{
  gtk_label_set_text (self->status_label, text);
  set_css_class (GTK_WIDGET (self->status_label), "error", is_error);
  gtk_revealer_set_reveal_child (self->status_revealer, TRUE);
}

static void
show_rejected_rows (AtalayaImportDialog *self,
                    GisImportReport     *report)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;
  guint n;

  if (report == NULL || report->rejected->len == 0)
    return;

  n = MIN (report->rejected->len, MAX_LISTED_ROWS);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = gis_rejected_row_describe (g_ptr_array_index (report->rejected, i));
      g_strv_builder_add (builder, line);
    }
  if (report->rows_rejected > n)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("… and %lu more row",
                                                         "… and %lu more rows",
                                                         (gulong) (report->rows_rejected - n)),
                                               (gulong) (report->rows_rejected - n));
      g_strv_builder_add (builder, more);
    }
  lines = g_strv_builder_end (builder);

  gtk_string_list_splice (self->rejected_rows, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->rejected_rows)),
                          (const char * const *) lines);
  gtk_widget_set_visible (self->rejected_scroller, TRUE);
}

/* ---- the preview ------------------------------------------------------------------ */

static const char *
field_type_label (GisFieldType type)
{
  switch (type)
    {
    case GIS_FIELD_INTEGER:
      return _("whole number");
    case GIS_FIELD_REAL:
      return _("number");
    case GIS_FIELD_BLOB:
      return _("binary");
    case GIS_FIELD_TEXT:
    default:
      return _("text");
    }
}

static void
fill_preview_grid (AtalayaImportDialog *self)
{
  GtkWidget *child;
  guint n_columns = gis_import_preview_get_n_columns (self->preview);
  guint n_rows = gis_import_preview_get_n_rows (self->preview);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))) != NULL)
    gtk_grid_remove (self->preview_grid, child);

  for (guint c = 0; c < n_columns; c++)
    {
      GisFieldType type = gis_import_preview_get_column_type (self->preview, c);
      gboolean numeric = type == GIS_FIELD_INTEGER || type == GIS_FIELD_REAL;
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *name = gtk_label_new (gis_import_preview_get_column_name (self->preview, c));
      GtkWidget *kind = gtk_label_new (gis_import_preview_column_is_geometry (self->preview, c)
                                         ? _("geometry") : field_type_label (type));

      gtk_label_set_xalign (GTK_LABEL (name), numeric ? 1.0f : 0.0f);
      gtk_label_set_xalign (GTK_LABEL (kind), numeric ? 1.0f : 0.0f);
      gtk_widget_add_css_class (name, "heading");
      gtk_widget_add_css_class (kind, "caption");
      gtk_widget_add_css_class (kind, "dim-label");
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), kind);
      gtk_grid_attach (self->preview_grid, box, (int) c, 0, 1, 1);

      for (guint r = 0; r < n_rows; r++)
        {
          const char *value = gis_import_preview_get_value (self->preview, r, c);
          GtkWidget *label = gtk_label_new (value != NULL ? value : "");

          gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0f : 0.0f);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
          gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
          if (numeric)
            gtk_widget_add_css_class (label, "numeric");
          if (value != NULL && g_utf8_strlen (value, -1) > 28)
            gtk_widget_set_tooltip_text (label, value);
          gtk_grid_attach (self->preview_grid, label, (int) c, (int) r + 2, 1, 1);
        }
    }

  if (n_columns > 0)
    gtk_grid_attach (self->preview_grid, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL),
                     0, 1, (int) n_columns, 1);
}

static char *
describe_preview (GisImportPreview *preview)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *type = gis_import_preview_get_geometry_type (preview);
  gint64 count = gis_import_preview_get_feature_count (preview);

  if (gis_import_preview_is_csv (preview))
    {
      switch (gis_import_preview_get_delimiter (preview))
        {
        case ',':
          g_ptr_array_add (parts, g_strdup (_("CSV separated by commas")));
          break;
        case ';':
          g_ptr_array_add (parts, g_strdup (_("CSV separated by semicolons")));
          break;
        case '\t':
          g_ptr_array_add (parts, g_strdup (_("CSV separated by tabs")));
          break;
        case '|':
          g_ptr_array_add (parts, g_strdup (_("CSV separated by vertical bars")));
          break;
        default:
          g_ptr_array_add (parts, g_strdup_printf (_("CSV separated by “%c”"),
                                                   gis_import_preview_get_delimiter (preview)));
          break;
        }
      if (gis_import_preview_get_decimal_comma (preview))
        g_ptr_array_add (parts, g_strdup (_("decimal comma")));
    }

  if (count >= 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%" PRId64 " row",
                                                       "%" PRId64 " rows",
                                                       (gulong) MIN (count, G_MAXLONG)),
                                             count));

  if (g_strcmp0 (type, "NONE") == 0)
    g_ptr_array_add (parts, g_strdup (_("no geometry found")));
  else if (g_strcmp0 (type, "POINT") == 0 || g_strcmp0 (type, "MULTIPOINT") == 0)
    g_ptr_array_add (parts, g_strdup (_("points")));
  else if (g_strcmp0 (type, "MULTILINESTRING") == 0 || g_strcmp0 (type, "LINESTRING") == 0)
    g_ptr_array_add (parts, g_strdup (_("lines")));
  else if (g_strcmp0 (type, "MULTIPOLYGON") == 0 || g_strcmp0 (type, "POLYGON") == 0)
    g_ptr_array_add (parts, g_strdup (_("polygons")));
  else
    g_ptr_array_add (parts, g_strdup (_("mixed geometries")));

  if (gis_import_preview_get_crs_name (preview) != NULL)
    g_ptr_array_add (parts, g_strdup (gis_import_preview_get_crs_name (preview)));
  else
    g_ptr_array_add (parts, g_strdup (_("no CRS stated: read as WGS 84 longitude, latitude")));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Shows @preview; with @keep_choices (the same file read again), keeps
 * the user's column choices where the columns are still there. */
static void
atalaya_import_dialog_show_preview (AtalayaImportDialog *self,
                                    GisImportPreview    *preview,
                                    GStrv                existing_names,
                                    gboolean             keep_choices)
{
  AdwComboRow *combos[] = {
    self->x_row, self->y_row, self->wkt_row, self->date_row,
    self->category_row, self->severity_row, self->country_row,
  };
  g_autofree char *kept[G_N_ELEMENTS (combos)] = { NULL };
  g_autoptr(GStrvBuilder) columns = g_strv_builder_new ();
  g_auto(GStrv) column_names = NULL;
  g_autofree char *summary = NULL;
  const char * const *layers;
  guint n_layers;

  for (guint i = 0; i < G_N_ELEMENTS (combos) && keep_choices; i++)
    kept[i] = g_strdup (combo_get_column (self, combos[i]));

  self->populating = TRUE;

  g_clear_pointer (&self->preview, gis_import_preview_unref);
  self->preview = gis_import_preview_ref (preview);
  g_strfreev (self->existing_names);
  self->existing_names = g_strdupv (existing_names);

  /* source layers */
  layers = gis_import_preview_get_source_layers (preview);
  n_layers = g_strv_length ((char **) layers);
  gtk_string_list_splice (self->source_layers_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->source_layers_model)),
                          layers);
  for (guint i = 0; i < n_layers; i++)
    if (g_strcmp0 (layers[i], gis_import_preview_get_source_layer (preview)) == 0)
      adw_combo_row_set_selected (self->source_layer_row, i);
  gtk_widget_set_visible (GTK_WIDGET (self->source_layer_row), n_layers > 1);

  summary = describe_preview (preview);
  adw_action_row_set_subtitle (self->summary_row, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_row), TRUE);

  /* the column choices */
  g_strv_builder_add (columns, C_("column", "None"));
  for (guint i = 0; i < gis_import_preview_get_n_columns (preview); i++)
    g_strv_builder_add (columns, gis_import_preview_get_column_name (preview, i));
  column_names = g_strv_builder_end (columns);
  gtk_string_list_splice (self->columns_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->columns_model)),
                          (const char * const *) column_names);

  if (keep_choices)
    for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
      combo_set_column (self, combos[i], kept[i]);
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
        combo_set_column (self, combos[i], NULL);
      combo_set_column (self, self->x_row, gis_import_preview_get_x_field (preview));
      combo_set_column (self, self->y_row, gis_import_preview_get_y_field (preview));
      combo_set_column (self, self->wkt_row, gis_import_preview_get_wkt_field (preview));
      gtk_switch_set_active (self->decimal_comma_switch, gis_import_preview_get_decimal_comma (preview));
    }

  /* A new name for a new file or layer, unless the user typed one. */
  if (!keep_choices ||
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->layer_name_row)), self->suggested_name) == 0)
    {
      g_free (self->suggested_name);
      self->suggested_name = unique_layer_name (self, gis_import_preview_get_layer_name (preview));
      gtk_editable_set_text (GTK_EDITABLE (self->layer_name_row), self->suggested_name);
    }

  fill_preview_grid (self);
  gtk_stack_set_visible_child_name (self->preview_stack, "table");
  gtk_spinner_set_spinning (self->preview_spinner, FALSE);

  gtk_widget_set_visible (self->geometry_group, gis_import_preview_is_csv (preview));
  gtk_widget_set_visible (self->columns_group, TRUE);
  gtk_widget_set_visible (self->layer_group, TRUE);

  self->populating = FALSE;
  atalaya_import_dialog_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
  atalaya_import_dialog_notify_busy (self);
}

static void
atalaya_import_dialog_show_preview_error (AtalayaImportDialog *self,
                                          const GError        *error)
{
  g_clear_pointer (&self->preview, gis_import_preview_unref);
  gtk_label_set_text (self->preview_error_label, error->message);
  gtk_stack_set_visible_child_name (self->preview_stack, "error");
  gtk_spinner_set_spinning (self->preview_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_row), FALSE);
  gtk_widget_set_visible (self->geometry_group, FALSE);
  gtk_widget_set_visible (self->columns_group, FALSE);
  /* The source CRS may be what is missing: keep it reachable. */
  gtk_widget_set_visible (self->layer_group, g_error_matches (error, GIS_ERROR, GIS_ERROR_CRS));
  atalaya_import_dialog_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
  atalaya_import_dialog_notify_busy (self);
}

typedef struct
{
  char     *path;
  char     *source_layer;
  char     *src_crs;
  char     *store_path;
  gboolean  keep_choices;
} PreviewRequest;

typedef struct
{
  GisImportPreview *preview;
  GStrv             existing_names;
} PreviewResult;

static void
preview_request_free (gpointer data)
{
  PreviewRequest *req = data;

  g_free (req->path);
  g_free (req->source_layer);
  g_free (req->src_crs);
  g_free (req->store_path);
  g_free (req);
}

static void
preview_result_free (gpointer data)
{
  PreviewResult *result = data;

  g_clear_pointer (&result->preview, gis_import_preview_unref);
  g_strfreev (result->existing_names);
  g_free (result);
}

static void
preview_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PreviewRequest *req = task_data;
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportPreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  PreviewResult *result;

  options->source_layer = g_strdup (req->source_layer);
  options->src_crs = g_strdup (req->src_crs);

  preview = gis_import_preview (req->path, options, PREVIEW_ROWS, cancellable, &error);
  if (preview == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The names taken, for a default name that is free.  A store that
   * cannot be read here will say so at import time. */
  store = gis_store_open (req->store_path, GIS_STORE_OPEN_READ_ONLY, NULL);
  if (store != NULL)
    {
      g_autoptr(GListModel) layers = gis_store_list_layers (store, NULL);

      for (guint i = 0; layers != NULL && i < g_list_model_get_n_items (layers); i++)
        {
          g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
          g_strv_builder_add (names, gis_layer_get_name (layer));
        }
    }

  result = g_new0 (PreviewResult, 1);
  result->preview = g_steal_pointer (&preview);
  result->existing_names = g_strv_builder_end (names);
  g_task_return_pointer (task, result, preview_result_free);
}

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AtalayaImportDialog *self = ATALAYA_IMPORT_DIALOG (object);
  PreviewRequest *req = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  PreviewResult *preview_result;

  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  preview_result = g_task_propagate_pointer (G_TASK (result), &error);

  /* A newer preview replaced this one, or the dialog went away. */
  if (g_task_get_cancellable (G_TASK (result)) != self->preview_cancellable)
    {
      g_clear_pointer (&preview_result, preview_result_free);
      return;
    }
  g_clear_object (&self->preview_cancellable);

  if (preview_result == NULL)
    atalaya_import_dialog_show_preview_error (self, error);
  else
    atalaya_import_dialog_show_preview (self, preview_result->preview,
                                        preview_result->existing_names, req->keep_choices);
  g_clear_pointer (&preview_result, preview_result_free);
}

static void
atalaya_import_dialog_start_preview (AtalayaImportDialog *self,
                                     gboolean             keep_choices)
{
  g_autoptr(GTask) task = NULL;
  PreviewRequest *req;
  g_autofree char *crs = NULL;

  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));
  g_assert (self->file != NULL);

  if (self->preview_cancellable != NULL)
    {
      g_cancellable_cancel (self->preview_cancellable);
      g_clear_object (&self->preview_cancellable);
    }
  self->preview_cancellable = g_cancellable_new ();

  req = g_new0 (PreviewRequest, 1);
  req->path = g_file_get_path (self->file);
  req->store_path = g_strdup (self->store_path);
  req->keep_choices = keep_choices;
  if (keep_choices && self->preview != NULL)
    {
      guint selected = adw_combo_row_get_selected (self->source_layer_row);

      if (selected != GTK_INVALID_LIST_POSITION &&
          selected < g_list_model_get_n_items (G_LIST_MODEL (self->source_layers_model)))
        req->source_layer = g_strdup (gtk_string_list_get_string (self->source_layers_model, selected));
    }
  crs = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->crs_row))));
  if (*crs != '\0')
    req->src_crs = g_steal_pointer (&crs);

  if (!keep_choices)
    g_clear_pointer (&self->preview, gis_import_preview_unref);
  gtk_stack_set_visible_child_name (self->preview_stack, "loading");
  gtk_spinner_set_spinning (self->preview_spinner, TRUE);
  clear_status (self);

  task = g_task_new (self, self->preview_cancellable, preview_cb, NULL);
  g_task_set_source_tag (task, atalaya_import_dialog_start_preview);
  g_task_set_task_data (task, req, preview_request_free);
  g_task_run_in_thread (task, preview_thread);

  atalaya_import_dialog_update_state (self);
  atalaya_import_dialog_notify_busy (self);
}

/* ---- the import --------------------------------------------------------------- */

static gboolean
progress_idle (gpointer data)
{
  ImportJob *job = data;
  g_autoptr(AtalayaImportDialog) self = g_weak_ref_get (&job->dialog);
  g_autofree char *message = NULL;
  double fraction;

  g_mutex_lock (&job->lock);
  fraction = job->fraction;
  message = g_strdup (job->message);
  job->idle_pending = FALSE;
  g_mutex_unlock (&job->lock);

  if (self == NULL || self->job != job)
    return G_SOURCE_REMOVE;

  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  gtk_progress_bar_set_text (self->progress_bar, message);
  return G_SOURCE_REMOVE;
}

/* On the worker thread. */
static void
import_progress (double      fraction,
                 const char *message,
                 gpointer    data)
{
  ImportJob *job = data;
  gint64 now = g_get_monotonic_time ();
  gboolean post;

  g_mutex_lock (&job->lock);
  job->fraction = fraction;
  if (message != NULL && g_strcmp0 (message, job->message) != 0)
    {
      g_free (job->message);
      job->message = g_strdup (message);
    }
  post = !job->idle_pending &&
         (now - job->last_post_us >= PROGRESS_EVERY_US || fraction < 0 || fraction >= 1.0);
  if (post)
    {
      job->idle_pending = TRUE;
      job->last_post_us = now;
    }
  g_mutex_unlock (&job->lock);

  if (post)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, progress_idle, g_atomic_rc_box_acquire (job), import_job_release);
      g_source_set_static_name (source, "[atalaya] import progress");
      g_source_attach (source, job->context);
      g_source_unref (source);
    }
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GisLayer *layer;

  store = gis_store_open (job->store_path, GIS_STORE_OPEN_READ_WRITE, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  layer = gis_store_import (store, job->path, job->options, import_progress, job,
                            cancellable, &job->report, &error);
  if (layer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, layer, g_object_unref);
}

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AtalayaImportDialog *self = ATALAYA_IMPORT_DIALOG (object);
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  GisImportReport *report;

  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  layer = g_task_propagate_pointer (G_TASK (result), &error);

  /* The dialog was closed: the import was cancelled (or done) unseen. */
  if (self->job != job)
    return;

  g_clear_pointer (&self->job, import_job_release);
  report = job->report;

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);

  if (layer != NULL && (report == NULL || report->rows_rejected == 0))
    {
      atalaya_import_dialog_update_state (self);
      atalaya_import_dialog_notify_busy (self);
      g_signal_emit (self, signals[IMPORTED], 0, layer);
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  if (layer != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *imported = NULL;

      /* Translators: the first part of a sentence: "Imported 120 features
       * into “Ports”; 3 rows were skipped:" */
      imported = g_strdup_printf (ngettext ("Imported %lu feature into “%s”",
                                            "Imported %lu features into “%s”",
                                            (gulong) report->rows_imported),
                                  (gulong) report->rows_imported, gis_layer_get_name (layer));
      /* Translators: the second part: "Imported 120 features into “Ports”" then this */
      text = g_strdup_printf (ngettext ("%s; %lu row was skipped:",
                                        "%s; %lu rows were skipped:",
                                        (gulong) report->rows_rejected),
                              imported, (gulong) report->rows_rejected);
      self->finished = TRUE;
      show_status (self, text, FALSE);
      show_rejected_rows (self, report);
      atalaya_import_dialog_update_state (self);
      atalaya_import_dialog_notify_busy (self);
      g_signal_emit (self, signals[IMPORTED], 0, layer);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_status (self, _("Import cancelled: nothing was imported."), FALSE);
  else if (g_error_matches (error, GIS_ERROR, GIS_ERROR_REJECTED_ROWS))
    {
      show_status (self, error->message, TRUE);
      gtk_label_set_text (self->hint_label, _("Correct these rows in the file, or turn on "
                                              "“Skip Rows That Cannot Be Read”."));
      gtk_widget_set_visible (GTK_WIDGET (self->hint_label), TRUE);
      show_rejected_rows (self, report);
    }
  else
    show_status (self, error->message, TRUE);

  atalaya_import_dialog_update_state (self);
  atalaya_import_dialog_notify_busy (self);
}

static GisImportOptions *
atalaya_import_dialog_build_options (AtalayaImportDialog *self)
{
  GisImportOptions *options = gis_import_options_new ();
  const char *date_column = combo_get_column (self, self->date_row);
  g_autofree char *format = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->date_format_row))));
  g_autofree char *crs = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->crs_row))));

  options->layer_name = get_layer_name (self);
  options->source_layer = g_strdup (gis_import_preview_get_source_layer (self->preview));
  options->role = get_role (self);

  if (gis_import_preview_is_csv (self->preview))
    {
      const char *wkt = combo_get_column (self, self->wkt_row);

      if (wkt != NULL)
        options->wkt_field = g_strdup (wkt);
      else
        {
          options->x_field = g_strdup (combo_get_column (self, self->x_row));
          options->y_field = g_strdup (combo_get_column (self, self->y_row));
        }
      options->delimiter = gis_import_preview_get_delimiter (self->preview);
      options->decimal_comma = gtk_switch_get_active (self->decimal_comma_switch) ? 1 : 0;
    }

  if (*crs != '\0')
    options->src_crs = g_steal_pointer (&crs);
  if (date_column != NULL)
    {
      options->date_field = g_strdup (date_column);
      if (*format != '\0')
        options->date_format = g_steal_pointer (&format);
    }
  options->category_field = g_strdup (combo_get_column (self, self->category_row));
  options->severity_field = g_strdup (combo_get_column (self, self->severity_row));
  options->country_field = g_strdup (combo_get_column (self, self->country_row));
  options->skip_bad_rows = gtk_switch_get_active (self->skip_switch);

  return options;
}

static void
atalaya_import_dialog_start_import (AtalayaImportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  if (atalaya_import_dialog_is_importing (self) || import_blocker (self) != NULL || self->finished)
    return;

  job = g_atomic_rc_box_new0 (ImportJob);
  job->store_path = g_strdup (self->store_path);
  job->path = g_file_get_path (self->file);
  job->options = atalaya_import_dialog_build_options (self);
  job->cancellable = g_cancellable_new ();
  job->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&job->dialog, self);
  g_mutex_init (&job->lock);
  job->fraction = -1.0;
  self->job = job;

  clear_status (self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_revealer_set_reveal_child (self->status_revealer, TRUE);

  task = g_task_new (self, job->cancellable, import_cb, NULL);
  g_task_set_source_tag (task, atalaya_import_dialog_start_import);
  g_task_set_task_data (task, g_atomic_rc_box_acquire (job), import_job_release);
  g_task_run_in_thread (task, import_thread);

  atalaya_import_dialog_update_state (self);
  atalaya_import_dialog_notify_busy (self);
}

/* ---- signal handlers ---------------------------------------------------------- */

static void
on_import_button_clicked (AtalayaImportDialog *self,
                          GtkButton           *button)
{
  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  atalaya_import_dialog_start_import (self);
}

static void
on_cancel_button_clicked (AtalayaImportDialog *self,
                          GtkButton           *button)
{
  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  if (atalaya_import_dialog_is_importing (self))
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
      g_cancellable_cancel (self->job->cancellable);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
chooser_response_cb (AtalayaImportDialog  *self,
                     int                   response,
                     GtkFileChooserNative *native)
{
  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        atalaya_import_dialog_set_file (self, file);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  if (self->chooser == native)
    g_clear_object (&self->chooser);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *first_suffix,
            ...)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char *suffix = first_suffix;
  va_list args;

  gtk_file_filter_set_name (filter, name);
  va_start (args, first_suffix);
  while (suffix != NULL)
    {
      if (strcmp (suffix, "*") == 0)
        gtk_file_filter_add_pattern (filter, "*");
      else
        gtk_file_filter_add_suffix (filter, suffix);
      suffix = va_arg (args, const char *);
    }
  va_end (args);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
on_choose_button_clicked (AtalayaImportDialog *self,
                          GtkButton           *button)
{
  GtkFileChooser *chooser;

  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  self->chooser = gtk_file_chooser_native_new (_("Choose a File to Import"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  chooser = GTK_FILE_CHOOSER (self->chooser);

  add_filter (chooser, _("All supported files"),
              "csv", "tsv", "txt", "gpkg", "shp", "geojson", "json", "kml", "kmz", "fgb", "gml",
              "sqlite", NULL);
  add_filter (chooser, _("CSV with coordinates or WKT"), "csv", "tsv", "txt", NULL);
  add_filter (chooser, _("GeoPackage"), "gpkg", NULL);
  add_filter (chooser, _("Shapefile"), "shp", NULL);
  add_filter (chooser, _("GeoJSON"), "geojson", "json", NULL);
  add_filter (chooser, _("KML"), "kml", "kmz", NULL);
  add_filter (chooser, _("FlatGeobuf"), "fgb", NULL);
  add_filter (chooser, _("All files"), "*", NULL);

  if (self->file != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->file);

      if (folder != NULL)
        gtk_file_chooser_set_current_folder (chooser, folder, NULL);
    }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_source_layer_selected (AtalayaImportDialog *self,
                          GParamSpec          *pspec,
                          AdwComboRow         *row)
{
  guint selected;
  const char *name;

  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  if (self->populating || self->preview == NULL)
    return;
  selected = adw_combo_row_get_selected (row);
  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  name = gtk_string_list_get_string (self->source_layers_model, selected);
  if (g_strcmp0 (name, gis_import_preview_get_source_layer (self->preview)) == 0)
    return;

  /* Another layer has other columns: start afresh, but from that layer. */
  atalaya_import_dialog_start_preview (self, TRUE);
}

static void
on_choice_changed (AtalayaImportDialog *self)
{
  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  atalaya_import_dialog_update_state (self);
}

static void
on_crs_row_apply (AtalayaImportDialog *self,
                  AdwEntryRow         *row)
{
  g_assert (ATALAYA_IS_IMPORT_DIALOG (self));

  if (self->file != NULL && !atalaya_import_dialog_is_importing (self))
    atalaya_import_dialog_start_preview (self, TRUE);
}

/* ---- GObject -------------------------------------------------------------------- */

static gboolean
atalaya_import_dialog_close_request (GtkWindow *window)
{
  AtalayaImportDialog *self = ATALAYA_IMPORT_DIALOG (window);

  /* Closing cancels: the import's transaction rolls back. */
  if (self->job != NULL)
    {
      g_cancellable_cancel (self->job->cancellable);
      g_clear_pointer (&self->job, import_job_release);
    }
  if (self->preview_cancellable != NULL)
    {
      g_cancellable_cancel (self->preview_cancellable);
      g_clear_object (&self->preview_cancellable);
    }

  return GTK_WINDOW_CLASS (atalaya_import_dialog_parent_class)->close_request (window);
}

static void
atalaya_import_dialog_dispose (GObject *object)
{
  AtalayaImportDialog *self = (AtalayaImportDialog *) object;

  if (self->job != NULL)
    {
      g_cancellable_cancel (self->job->cancellable);
      g_clear_pointer (&self->job, import_job_release);
    }
  if (self->preview_cancellable != NULL)
    {
      g_cancellable_cancel (self->preview_cancellable);
      g_clear_object (&self->preview_cancellable);
    }
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_IMPORT_DIALOG);

  g_clear_object (&self->file);
  g_clear_pointer (&self->preview, gis_import_preview_unref);
  g_clear_object (&self->columns_model);
  g_clear_object (&self->source_layers_model);
  g_clear_object (&self->roles_model);

  G_OBJECT_CLASS (atalaya_import_dialog_parent_class)->dispose (object);
}

static void
atalaya_import_dialog_finalize (GObject *object)
{
  AtalayaImportDialog *self = (AtalayaImportDialog *) object;

  g_free (self->store_path);
  g_free (self->suggested_name);
  g_strfreev (self->existing_names);

  G_OBJECT_CLASS (atalaya_import_dialog_parent_class)->finalize (object);
}

static void
atalaya_import_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AtalayaImportDialog *self = ATALAYA_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE_PATH:
      g_value_set_string (value, self->store_path);
      break;
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_PREVIEW:
      g_value_set_boxed (value, self->preview);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, atalaya_import_dialog_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_import_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  AtalayaImportDialog *self = ATALAYA_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE_PATH:
      self->store_path = g_value_dup_string (value);
      break;
    case PROP_FILE:
      if (g_value_get_object (value) != NULL)
        atalaya_import_dialog_set_file (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_import_dialog_class_init (AtalayaImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = atalaya_import_dialog_dispose;
  object_class->finalize = atalaya_import_dialog_finalize;
  object_class->get_property = atalaya_import_dialog_get_property;
  object_class->set_property = atalaya_import_dialog_set_property;

  window_class->close_request = atalaya_import_dialog_close_request;

  /**
   * AtalayaImportDialog:store-path:
   *
   * The store to import into; the import opens its own connection on a
   * worker thread.
   */
  properties[PROP_STORE_PATH] =
    g_param_spec_string ("store-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaImportDialog:file: (nullable)
   *
   * The file to import.
   */
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaImportDialog:preview: (nullable)
   *
   * The preview of the file, once read.
   */
  properties[PROP_PREVIEW] =
    g_param_spec_boxed ("preview", NULL, NULL, GIS_TYPE_IMPORT_PREVIEW,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaImportDialog:busy:
   *
   * Whether the file is being read or imported.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaImportDialog::imported:
   * @self: the dialog
   * @layer: the new layer
   *
   * Emitted on the main thread when the import has committed.  The
   * dialog then closes, unless rows were skipped: it then stays open to
   * list them.
   */
  signals[IMPORTED] =
    g_signal_new ("imported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GIS_TYPE_LAYER);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/atalaya/Atalaya/ui/atalaya-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, content_box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, source_layer_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, summary_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, preview_spinner);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, preview_error_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, preview_grid);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, geometry_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, x_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, y_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, wkt_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, decimal_comma_switch);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, date_format_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, date_example_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, category_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, severity_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, country_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, layer_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, layer_name_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, crs_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, rejected_scroller);
  gtk_widget_class_bind_template_child (widget_class, AtalayaImportDialog, rejected_rows);

  gtk_widget_class_bind_template_callback (widget_class, on_import_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_button_clicked);
}

static void
atalaya_import_dialog_init (AtalayaImportDialog *self)
{
  AdwComboRow *column_rows[7];

  gtk_widget_init_template (GTK_WIDGET (self));

  self->columns_model = gtk_string_list_new (NULL);
  self->source_layers_model = gtk_string_list_new (NULL);
  self->roles_model = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (offered_roles); i++)
    gtk_string_list_append (self->roles_model, gis_layer_role_to_label (offered_roles[i]));
  adw_combo_row_set_model (self->role_row, G_LIST_MODEL (self->roles_model));
  adw_combo_row_set_selected (self->role_row, G_N_ELEMENTS (offered_roles) - 1);

  adw_combo_row_set_model (self->source_layer_row, G_LIST_MODEL (self->source_layers_model));
  g_signal_connect_object (self->source_layer_row, "notify::selected",
                           G_CALLBACK (on_source_layer_selected), self, G_CONNECT_SWAPPED);

  column_rows[0] = self->x_row;
  column_rows[1] = self->y_row;
  column_rows[2] = self->wkt_row;
  column_rows[3] = self->date_row;
  column_rows[4] = self->category_row;
  column_rows[5] = self->severity_row;
  column_rows[6] = self->country_row;
  for (guint i = 0; i < G_N_ELEMENTS (column_rows); i++)
    {
      adw_combo_row_set_model (column_rows[i], G_LIST_MODEL (self->columns_model));
      g_signal_connect_object (column_rows[i], "notify::selected",
                               G_CALLBACK (on_choice_changed), self, G_CONNECT_SWAPPED);
    }

  g_signal_connect_object (self->date_format_row, "changed",
                           G_CALLBACK (on_choice_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->layer_name_row, "changed",
                           G_CALLBACK (on_choice_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->crs_row, "apply",
                           G_CALLBACK (on_crs_row_apply), self, G_CONNECT_SWAPPED);

  atalaya_import_dialog_update_state (self);
}

/* ---- public API ----------------------------------------------------------------- */

/**
 * atalaya_import_dialog_new:
 * @parent: (nullable): the window the dialog is modal for
 * @store_path: the store to import into
 *
 * Returns: (transfer none): a new dialog, not shown yet; it is destroyed
 *   when closed
 */
AtalayaImportDialog *
atalaya_import_dialog_new (GtkWindow  *parent,
                           const char *store_path)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (store_path != NULL, NULL);

  return g_object_new (ATALAYA_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "store-path", store_path,
                       NULL);
}

/**
 * atalaya_import_dialog_get_store_path:
 * @self: a dialog
 *
 * Returns: (transfer none): the store imported into
 */
const char *
atalaya_import_dialog_get_store_path (AtalayaImportDialog *self)
{
  g_return_val_if_fail (ATALAYA_IS_IMPORT_DIALOG (self), NULL);

  return self->store_path;
}

/**
 * atalaya_import_dialog_set_file:
 * @self: a dialog
 * @file: a local vector file
 *
 * Reads @file's preview on a worker thread, and fills the column choices
 * from what the importer detects.  Ignored while an import runs.
 */
void
atalaya_import_dialog_set_file (AtalayaImportDialog *self,
                                GFile               *file)
{
  g_autofree char *path = NULL;
  g_autofree char *display = NULL;

  g_return_if_fail (ATALAYA_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (atalaya_import_dialog_is_importing (self))
    return;

  self->finished = FALSE;
  g_set_object (&self->file, file);

  path = g_file_get_path (file);
  display = g_file_get_parse_name (file);
  adw_action_row_set_subtitle (self->file_row, display);
  {
    g_autofree char *base = g_file_get_basename (file);
    g_autofree char *shown = g_filename_display_name (base);

    adw_window_title_set_subtitle (self->window_title, shown);
  }

  if (path == NULL)
    {
      g_autoptr(GError) error = NULL;

      g_set_error (&error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("“%s” is not on a local disk: copy it to one to import it"), display);
      g_clear_pointer (&self->preview, gis_import_preview_unref);
      atalaya_import_dialog_show_preview_error (self, error);
    }
  else
    atalaya_import_dialog_start_preview (self, FALSE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}

/**
 * atalaya_import_dialog_get_file:
 * @self: a dialog
 *
 * Returns: (transfer none) (nullable): the file to import
 */
GFile *
atalaya_import_dialog_get_file (AtalayaImportDialog *self)
{
  g_return_val_if_fail (ATALAYA_IS_IMPORT_DIALOG (self), NULL);

  return self->file;
}

/**
 * atalaya_import_dialog_get_preview:
 * @self: a dialog
 *
 * Returns: (transfer none) (nullable): the preview of the file, once read
 */
GisImportPreview *
atalaya_import_dialog_get_preview (AtalayaImportDialog *self)
{
  g_return_val_if_fail (ATALAYA_IS_IMPORT_DIALOG (self), NULL);

  return self->preview;
}

/**
 * atalaya_import_dialog_get_busy:
 * @self: a dialog
 *
 * Returns: whether the file is being read or imported
 */
gboolean
atalaya_import_dialog_get_busy (AtalayaImportDialog *self)
{
  g_return_val_if_fail (ATALAYA_IS_IMPORT_DIALOG (self), FALSE);

  return self->preview_cancellable != NULL || self->job != NULL;
}
