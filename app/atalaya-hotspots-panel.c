/* atalaya-hotspots-panel.c: hotspots of illegal activity, in the side pane
 *
 * One panel for the five methods of gis/hotspots: kernel density, Gi* on
 * bins, DBSCAN, ST-DBSCAN and emerging hot spots.  The incidents are
 * filtered by layer, categories, period and minimum severity, and counted
 * or weighted by a numeric field.  A run reads, computes and writes the
 * result layers (with their styles and method records) on a worker thread
 * with its own store handle, with progress and Cancel; a cancelled or
 * failed run leaves the store as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-format.h"
#include "atalaya-hotspots-panel-private.h"

#define TICK_MS 100
#define MAX_CATEGORIES 40

enum
{
  LAYERS_SAVED,
  N_SIGNALS
};

enum
{
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtalayaHotspotsPanel, atalaya_hotspots_panel, GTK_TYPE_WIDGET)

static void update_rows (AtalayaHotspotsPanel *self);

/* ---- choices ---------------------------------------------------------------------- */

static GisLayer *
find_layer (AtalayaHotspotsPanel *self,
            const char           *name)
{
  if (self->layers == NULL || name == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (self->layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);

      if (g_strcmp0 (gis_layer_get_name (layer), name) == 0)
        return layer;  /* the model keeps it */
    }
  return NULL;
}

static const char *
chosen (AdwComboRow *row,
        GPtrArray   *values)
{
  guint i = adw_combo_row_get_selected (row);

  return i < values->len ? g_ptr_array_index (values, i) : NULL;
}

static void
clear_categories (AtalayaHotspotsPanel *self)
{
  for (guint i = 0; i < self->category_rows->len; i++)
    adw_expander_row_remove (self->categories_row, g_ptr_array_index (self->category_rows, i));
  g_ptr_array_set_size (self->category_rows, 0);
  g_ptr_array_set_size (self->category_checks, 0);
  g_ptr_array_set_size (self->category_values, 0);
}

static void
on_category_toggled (AtalayaHotspotsPanel *self)
{
  guint n = 0;

  for (guint i = 0; i < self->category_checks->len; i++)
    n += gtk_check_button_get_active (g_ptr_array_index (self->category_checks, i));
  if (n == 0)
    adw_expander_row_set_subtitle (self->categories_row, _("All of them"));
  else
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u chosen", "%u chosen", n), n);

      adw_expander_row_set_subtitle (self->categories_row, text);
    }
}

/* The layer's categories (its most frequent values) and numeric fields. */
static void
on_layer_changed (AtalayaHotspotsPanel *self)
{
  const char *name = chosen (self->layer_row, self->layer_values);
  GisLayer *layer = find_layer (self, name);
  g_autoptr(GtkStringList) weights = gtk_string_list_new (NULL);
  guint selected = 0;

  clear_categories (self);
  g_ptr_array_set_size (self->weight_values, 0);
  gtk_string_list_append (weights, _("Count each once"));
  g_ptr_array_add (self->weight_values, NULL);
  if (layer != NULL && self->store != NULL)
    {
      g_autoptr(GPtrArray) fields = gis_store_get_fields (self->store, layer, NULL);
      gboolean has_category = FALSE;

      for (guint i = 0; fields != NULL && i < fields->len; i++)
        {
          GisField *f = g_ptr_array_index (fields, i);

          if (g_strcmp0 (f->name, "category") == 0)
            has_category = TRUE;
          if (f->type != GIS_FIELD_INTEGER && f->type != GIS_FIELD_REAL)
            continue;
          gtk_string_list_append (weights, f->name);
          g_ptr_array_add (self->weight_values, g_strdup (f->name));
        }
      if (has_category)
        {
          g_auto(GStrv) values = gis_store_dup_frequent_values (self->store, layer, "category", MAX_CATEGORIES,
                                                               NULL);

          for (guint i = 0; values != NULL && values[i] != NULL; i++)
            {
              const char *value = values[i];
              GtkWidget *row = adw_action_row_new ();
              GtkWidget *check = gtk_check_button_new ();

              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), value);
              gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
              adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
              adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
              g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_category_toggled), self);
              adw_expander_row_add_row (self->categories_row, row);
              g_ptr_array_add (self->category_rows, row);
              g_ptr_array_add (self->category_checks, check);
              g_ptr_array_add (self->category_values, g_strdup (value));
            }
        }
    }
  adw_combo_row_set_model (self->weight_row, G_LIST_MODEL (weights));
  adw_combo_row_set_selected (self->weight_row, selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->categories_row), self->category_checks->len > 0);
  on_category_toggled (self);
  update_rows (self);
}

/**
 * atalaya_hotspots_panel_set_store:
 * @store: (nullable): the window's store
 * @layers: (nullable): its layers
 *
 * Lists the point layers; the incidents layer is chosen by its role.
 */
void
atalaya_hotspots_panel_set_store (AtalayaHotspotsPanel *self,
                                  GisStore             *store,
                                  GListModel           *layers)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const char *was = NULL;
  g_autofree char *keep = NULL;
  guint selected = 0;

  g_return_if_fail (ATALAYA_IS_HOTSPOTS_PANEL (self));

  if (store == NULL || self->store == NULL ||
      g_strcmp0 (gis_store_get_path (store), gis_store_get_path (self->store)) != 0)
    {
      if (self->cancellable != NULL)
        g_cancellable_cancel (self->cancellable);
    }
  else
    keep = g_strdup (chosen (self->layer_row, self->layer_values));
  was = keep;
  g_set_object (&self->store, store);
  g_set_object (&self->layers, layers);
  g_ptr_array_set_size (self->layer_values, 0);
  for (guint i = 0; layers != NULL && i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

      if (!gis_layer_is_point_layer (layer))
        continue;
      if ((was != NULL && g_strcmp0 (gis_layer_get_name (layer), was) == 0) ||
          (was == NULL && selected == 0 && gis_layer_get_role (layer) == GIS_LAYER_ROLE_INCIDENT))
        selected = self->layer_values->len;
      gtk_string_list_append (names, gis_layer_get_name (layer));
      g_ptr_array_add (self->layer_values, g_strdup (gis_layer_get_name (layer)));
    }
  g_signal_handlers_block_by_func (self->layer_row, on_layer_changed, self);
  adw_combo_row_set_model (self->layer_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->layer_row, selected);
  g_signal_handlers_unblock_by_func (self->layer_row, on_layer_changed, self);
  on_layer_changed (self);
}

/* ---- rows of each method ----------------------------------------------------------- */

static void
update_rows (AtalayaHotspotsPanel *self)
{
  AtalayaHotspotsMethod m = adw_combo_row_get_selected (self->method_row);
  gboolean running = self->cancellable != NULL;
  gboolean read_only = self->store == NULL || gis_store_is_read_only (self->store);
  gboolean kde = m == HOTSPOTS_KDE, gistar = m == HOTSPOTS_GISTAR, emerging = m == HOTSPOTS_EMERGING;
  gboolean dbscan = m == HOTSPOTS_DBSCAN || m == HOTSPOTS_STDBSCAN;

  gtk_widget_set_visible (GTK_WIDGET (self->kernel_row), kde);
  gtk_widget_set_visible (GTK_WIDGET (self->output_row), kde);
  gtk_widget_set_visible (GTK_WIDGET (self->radius_row), kde);
  gtk_widget_set_visible (GTK_WIDGET (self->cell_row), kde || gistar || emerging);
  gtk_widget_set_visible (GTK_WIDGET (self->shape_row), gistar || emerging);
  gtk_widget_set_visible (GTK_WIDGET (self->band_row), gistar || emerging);
  gtk_widget_set_visible (GTK_WIDGET (self->step_row), emerging);
  gtk_widget_set_visible (GTK_WIDGET (self->eps_row), dbscan);
  gtk_widget_set_visible (GTK_WIDGET (self->min_points_row), dbscan);
  gtk_widget_set_visible (GTK_WIDGET (self->eps_days_row), m == HOTSPOTS_STDBSCAN);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button),
                            !running && !read_only && chosen (self->layer_row, self->layer_values) != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_button),
                               read_only && self->store != NULL ? _("The store is open read-only: the result "
                                                                    "layers cannot be written") : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
}

static void
set_status (AtalayaHotspotsPanel *self,
            const char           *text,
            gboolean              is_error)
{
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

/* ---- the job ---------------------------------------------------------------------- */

struct _HotspotsJob
{
  AtalayaHotspotsMethod  method;
  char                  *store_path;
  char                  *name;
  char                  *layer;
  GStrv                  categories;
  char                  *from, *to;
  double                 min_severity;
  char                  *weight;
  GisKdeKernel           kernel;
  GisKdeOutput           output;
  double                 radius_km, cell_km, band_km, eps_km, eps_days;
  guint                  min_points;
  GisBinShape            shape;
  GisTimeStep            step;
  gint64                 started_us;
  int                    permille;   /* atomic; -1 unknown */
};

typedef struct
{
  GStrv   saved;
  char   *summary;
  double  seconds;
} HotspotsOutcome;

static void
hotspots_job_free (gpointer data)
{
  HotspotsJob *job = data;

  g_free (job->store_path);
  g_free (job->name);
  g_free (job->layer);
  g_strfreev (job->categories);
  g_free (job->from);
  g_free (job->to);
  g_free (job->weight);
  g_free (job);
}

static void
hotspots_outcome_free (gpointer data)
{
  HotspotsOutcome *o = data;

  g_strfreev (o->saved);
  g_free (o->summary);
  g_free (o);
}

static void
on_job_progress (double      fraction,
                 const char *message,
                 gpointer    user_data)
{
  HotspotsJob *job = user_data;

  g_atomic_int_set (&job->permille, fraction < 0 ? -1 : (int) (CLAMP (fraction, 0, 1) * 1000));
}

static GStrv
names_of (GPtrArray *layers)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < layers->len; i++)
    g_ptr_array_add (names, g_strdup (gis_layer_get_name (g_ptr_array_index (layers, i))));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

static char *
format_km (double m)
{
  return atalaya_format_user ("%.2f", m / 1000.0);
}

/* Runs the method and writes its layers; *summary says what came out. */
static GStrv
run_method (HotspotsJob       *job,
            GisStore          *store,
            GisHotspotInput   *input,
            char             **summary,
            GCancellable      *cancellable,
            GError           **error)
{
  g_auto(GisHotspotPoints) points = { 0 };

  if (job->method == HOTSPOTS_KDE)
    {
      GisHotspotsKdeParams kp;
      g_auto(GisHotspotsKdeResult) res = { 0 };
      g_autoptr(GisLayer) layer = NULL;
      g_autofree char *radius = NULL;
      g_autofree char *cell = NULL;
      g_autofree char *count = NULL;
      GStrv saved;

      gis_hotspots_kde_params_init (&kp);
      kp.input = *input;
      kp.kernel = job->kernel;
      kp.output = job->output;
      kp.radius_km = job->radius_km;
      kp.cell_km = job->cell_km;
      if (!gis_hotspots_kde_run (store, &kp, &res, cancellable, on_job_progress, job, error))
        return NULL;
      layer = gis_hotspots_kde_save (store, &res, job->name, error);
      if (layer == NULL)
        return NULL;
      radius = format_km (res.radius_m);
      cell = format_km (res.cell_m);
      count = atalaya_format_user ("%'" G_GSIZE_FORMAT, res.n_points);
      *summary = g_strdup_printf (res.radius_from_silverman
                                  ? _("%s incidents; radius %s km (spatial Silverman rule); cells of %s km")
                                  : _("%s incidents; radius %s km; cells of %s km"),
                                  count, radius, cell);
      saved = g_new0 (char *, 2);
      saved[0] = g_strdup (gis_layer_get_name (layer));
      return saved;
    }

  if (!gis_hotspot_points_load (store, input, &points, cancellable, error))
    return NULL;

  switch (job->method)
    {
    case HOTSPOTS_GISTAR:
      {
        GisHotspotsGiStarParams gp;
        g_autoptr(GisHotspotsGiStar) res = NULL;
        g_autoptr(GisLayer) layer = NULL;
        guint hot = 0, cold = 0;
        g_autofree char *cell = NULL;
        g_autofree char *band = NULL;
        GStrv saved;

        gis_hotspots_gistar_params_init (&gp);
        gp.shape = job->shape;
        gp.cell_size_m = job->cell_km * 1000.0;
        gp.band_m = job->band_km * 1000.0;
        res = gis_hotspots_gistar_run (&points, input, &gp, cancellable, on_job_progress, job, error);
        if (res == NULL)
          return NULL;
        layer = gis_hotspots_gistar_save (store, res, job->name, cancellable, error);
        if (layer == NULL)
          return NULL;
        for (guint i = 0; i < res->gi.n; i++)
          {
            hot += res->gi.bin[i] > 0;
            cold += res->gi.bin[i] < 0;
          }
        cell = format_km (res->params.cell_size_m);
        band = format_km (res->params.band_m);
        /* Translators: Gi* results: hot bins, cold bins, all bins, cell size, band */
        *summary = g_strdup_printf (_("%u hot and %u cold bins of %u; cells of %s km, band %s km"), hot, cold,
                                    res->gi.n, cell, band);
        if (res->band_reason != NULL)
          {
            char *more = g_strdup_printf ("%s\n%s", *summary, res->band_reason);

            g_free (*summary);
            *summary = more;
          }
        saved = g_new0 (char *, 2);
        saved[0] = g_strdup (gis_layer_get_name (layer));
        return saved;
      }

    case HOTSPOTS_DBSCAN:
    case HOTSPOTS_STDBSCAN:
      {
        GisDbscanParams dp = { 0 };
        g_autoptr(GisHotspotsClusters) res = NULL;
        g_autoptr(GPtrArray) layers = NULL;
        guint cross = 0;

        dp.eps_m = job->eps_km * 1000.0;
        dp.min_pts = job->min_points;
        dp.eps_days = job->eps_days;
        res = gis_hotspots_dbscan_run (store, &points, input, &dp, job->method == HOTSPOTS_STDBSCAN, cancellable,
                                       on_job_progress, job, error);
        if (res == NULL)
          return NULL;
        layers = gis_hotspots_clusters_save (store, res, job->name, cancellable, error);
        if (layers == NULL)
          return NULL;
        for (guint i = 0; i < res->clusters->len; i++)
          cross += g_array_index (res->clusters, GisHotspotsCluster, i).cross_border;
        /* Translators: clusters found, of which cross-border, and the noise points */
        *summary = g_strdup_printf (_("%u clusters, %u of them across the border; %u incidents are noise"),
                                    res->db.n_clusters, cross, res->db.n_noise);
        return names_of (layers);
      }

    case HOTSPOTS_EMERGING:
      {
        GisSpaceTimeParams sp;
        g_autoptr(GisHotspotsEmerging) res = NULL;
        g_autoptr(GPtrArray) layers = NULL;
        guint counts[GIS_EMERGING_N_CATEGORIES] = { 0 };
        g_autoptr(GString) text = g_string_new (NULL);

        gis_spacetime_params_init (&sp);
        sp.shape = job->shape;
        sp.cell_size_m = job->cell_km * 1000.0;
        sp.band_m = job->band_km * 1000.0;
        sp.step = job->step;
        res = gis_hotspots_emerging_run (&points, input, &sp, cancellable, on_job_progress, job, error);
        if (res == NULL)
          return NULL;
        layers = gis_hotspots_emerging_save (store, res, job->name, cancellable, error);
        if (layers == NULL)
          return NULL;
        for (guint i = 0; i < res->st.n_locations; i++)
          counts[res->st.category[i]]++;
        for (int c = 1; c < GIS_EMERGING_N_CATEGORIES; c++)
          if (counts[c] > 0)
            g_string_append_printf (text, "%s%s: %u", text->len > 0 ? "; " : "",
                                    gis_emerging_category_to_label (c), counts[c]);
        if (text->len == 0)
          g_string_append (text, _("No pattern anywhere"));
        *summary = g_string_free (g_steal_pointer (&text), FALSE);
        return names_of (layers);
      }

    case HOTSPOTS_KDE:
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
hotspots_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  HotspotsJob *job = task_data;
  g_autoptr(GisStore) store = NULL;
  HotspotsOutcome *outcome;
  GisHotspotInput input;
  GError *error = NULL;
  GStrv saved;
  char *summary = NULL;

  store = gis_store_open (job->store_path, GIS_STORE_OPEN_READ_WRITE, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  gis_hotspot_input_init (&input);
  input.layer = job->layer;
  input.categories = (const char *const *) job->categories;
  input.date_from = job->from;
  input.date_to = job->to;
  input.min_severity = job->min_severity;
  input.weight_field = job->weight;
  if (!gis_hotspot_input_check (store, &input, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  saved = run_method (job, store, &input, &summary, cancellable, &error);
  if (saved == NULL)
    {
      g_free (summary);
      g_task_return_error (task, error);
      return;
    }
  outcome = g_new0 (HotspotsOutcome, 1);
  outcome->saved = saved;
  outcome->summary = summary;
  outcome->seconds = (g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC;
  g_task_return_pointer (task, outcome, hotspots_outcome_free);
}

static gboolean
on_tick (gpointer user_data)
{
  AtalayaHotspotsPanel *self = user_data;
  int permille;

  if (self->job == NULL)
    return G_SOURCE_CONTINUE;
  permille = g_atomic_int_get (&self->job->permille);
  if (permille < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, permille / 1000.0);
  return G_SOURCE_CONTINUE;
}

static void
set_running (AtalayaHotspotsPanel *self,
             gboolean              running)
{
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  if (running && self->tick_id == 0)
    self->tick_id = g_timeout_add (TICK_MS, on_tick, self);
  else if (!running)
    g_clear_handle_id (&self->tick_id, g_source_remove);
  update_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
job_cb (GObject      *object,
        GAsyncResult *res,
        gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AtalayaHotspotsPanel) self = g_weak_ref_get (weak);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (res));
  g_autoptr(GError) error = NULL;
  HotspotsOutcome *outcome = g_task_propagate_pointer (G_TASK (res), &error);
  g_autofree char *seconds = NULL;
  g_autofree char *text = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL || cancellable != self->cancellable)
    {
      if (outcome != NULL)
        hotspots_outcome_free (outcome);
      return;
    }
  g_clear_object (&self->cancellable);
  self->job = NULL;
  set_running (self, FALSE);
  if (outcome == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, _("Cancelled; the store is as it was"), FALSE);
      else
        set_status (self, error->message, TRUE);
      return;
    }
  seconds = atalaya_format_user (outcome->seconds < 1 ? "%.3f" : "%.2f", outcome->seconds);
  {
    guint n = g_strv_length (outcome->saved);
    g_autofree char *done = g_strdup_printf (ngettext ("%u layer written in %s s", "%u layers written in %s s", n),
                                             n, seconds);

    text = g_strdup_printf ("%s\n%s", outcome->summary != NULL ? outcome->summary : "", done);
  }
  set_status (self, text, FALSE);
  g_signal_emit (self, signals[LAYERS_SAVED], 0, outcome->saved);
  hotspots_outcome_free (outcome);
}

static char *
default_name (AtalayaHotspotsPanel *self)
{
  static const char *const names[] = {
    N_("Kernel density"), N_("Hot spots"), N_("Clusters"), N_("Space-time clusters"), N_("Emerging hot spots"),
  };
  AtalayaHotspotsMethod m = adw_combo_row_get_selected (self->method_row);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  return g_strdup_printf ("%s %s", _(names[MIN (m, G_N_ELEMENTS (names) - 1)]), when);
}

/**
 * atalaya_hotspots_panel_run:
 *
 * Runs the chosen method on a worker thread and writes its layers.
 */
void
atalaya_hotspots_panel_run (AtalayaHotspotsPanel *self)
{
  HotspotsJob *job;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) categories = g_ptr_array_new ();
  GWeakRef *weak;
  const char *name;
  static const GisKdeKernel kernels[] = {
    GIS_KDE_KERNEL_QUARTIC, GIS_KDE_KERNEL_TRIWEIGHT, GIS_KDE_KERNEL_EPANECHNIKOV, GIS_KDE_KERNEL_UNIFORM,
    GIS_KDE_KERNEL_TRIANGULAR,
  };
  static const GisKdeOutput outputs[] = {
    GIS_KDE_OUTPUT_DENSITY, GIS_KDE_OUTPUT_EXPECTED_COUNT, GIS_KDE_OUTPUT_RAW,
  };
  static const GisTimeStep steps[] = { GIS_TIME_STEP_MONTH, GIS_TIME_STEP_QUARTER, GIS_TIME_STEP_YEAR };

  g_return_if_fail (ATALAYA_IS_HOTSPOTS_PANEL (self));
  if (self->cancellable != NULL || self->store == NULL || !gtk_widget_get_sensitive (GTK_WIDGET (self->run_button)))
    return;

  job = g_new0 (HotspotsJob, 1);
  job->method = adw_combo_row_get_selected (self->method_row);
  job->store_path = g_strdup (gis_store_get_path (self->store));
  name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  job->name = *name != '\0' ? g_strdup (name) : default_name (self);
  job->layer = g_strdup (chosen (self->layer_row, self->layer_values));
  for (guint i = 0; i < self->category_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->category_checks, i)))
      g_ptr_array_add (categories, g_strdup (g_ptr_array_index (self->category_values, i)));
  if (categories->len > 0)
    {
      g_ptr_array_add (categories, NULL);
      job->categories = (GStrv) g_ptr_array_steal (categories, NULL);
    }
  if (*gtk_editable_get_text (GTK_EDITABLE (self->from_entry)) != '\0')
    job->from = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->from_entry))));
  if (*gtk_editable_get_text (GTK_EDITABLE (self->to_entry)) != '\0')
    job->to = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_entry))));
  job->min_severity = gtk_spin_button_get_value (self->severity_spin) > 0 ? gtk_spin_button_get_value (self->severity_spin)
                                                                          : -1;
  job->weight = g_strdup (chosen (self->weight_row, self->weight_values));
  job->kernel = kernels[MIN (adw_combo_row_get_selected (self->kernel_row), G_N_ELEMENTS (kernels) - 1)];
  job->output = outputs[MIN (adw_combo_row_get_selected (self->output_row), G_N_ELEMENTS (outputs) - 1)];
  job->radius_km = gtk_spin_button_get_value (self->radius_spin);
  job->cell_km = gtk_spin_button_get_value (self->cell_spin);
  job->band_km = gtk_spin_button_get_value (self->band_spin);
  job->eps_km = gtk_spin_button_get_value (self->eps_spin);
  job->eps_days = gtk_spin_button_get_value (self->eps_days_spin);
  job->min_points = (guint) gtk_spin_button_get_value_as_int (self->min_points_spin);
  job->shape = adw_combo_row_get_selected (self->shape_row) == 1 ? GIS_BIN_HEXAGON : GIS_BIN_SQUARE;
  job->step = steps[MIN (adw_combo_row_get_selected (self->step_row), G_N_ELEMENTS (steps) - 1)];
  job->started_us = g_get_monotonic_time ();
  job->permille = -1;

  self->cancellable = g_cancellable_new ();
  self->job = job;
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, job_cb, weak);
  g_task_set_source_tag (task, atalaya_hotspots_panel_run);
  g_task_set_task_data (task, job, hotspots_job_free);
  g_task_run_in_thread (task, hotspots_thread);
  set_status (self, _("Computing…"), FALSE);
  set_running (self, TRUE);
}

/**
 * atalaya_hotspots_panel_cancel:
 *
 * Stops the run; nothing is written.
 */
void
atalaya_hotspots_panel_cancel (AtalayaHotspotsPanel *self)
{
  g_return_if_fail (ATALAYA_IS_HOTSPOTS_PANEL (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
atalaya_hotspots_panel_get_running (AtalayaHotspotsPanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_HOTSPOTS_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

/* ---- GObject ----------------------------------------------------------------------- */

static void
atalaya_hotspots_panel_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AtalayaHotspotsPanel *self = ATALAYA_HOTSPOTS_PANEL (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_hotspots_panel_dispose (GObject *object)
{
  AtalayaHotspotsPanel *self = ATALAYA_HOTSPOTS_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_HOTSPOTS_PANEL);
  g_clear_object (&self->store);
  g_clear_object (&self->layers);
  G_OBJECT_CLASS (atalaya_hotspots_panel_parent_class)->dispose (object);
}

static void
atalaya_hotspots_panel_finalize (GObject *object)
{
  AtalayaHotspotsPanel *self = ATALAYA_HOTSPOTS_PANEL (object);

  g_ptr_array_unref (self->layer_values);
  g_ptr_array_unref (self->weight_values);
  g_ptr_array_unref (self->category_rows);
  g_ptr_array_unref (self->category_checks);
  g_ptr_array_unref (self->category_values);
  G_OBJECT_CLASS (atalaya_hotspots_panel_parent_class)->finalize (object);
}

static void
atalaya_hotspots_panel_class_init (AtalayaHotspotsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = atalaya_hotspots_panel_get_property;
  object_class->dispose = atalaya_hotspots_panel_dispose;
  object_class->finalize = atalaya_hotspots_panel_finalize;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaHotspotsPanel::layers-saved:
   * @names: the new layers' names
   */
  signals[LAYERS_SAVED] = g_signal_new ("layers-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-hotspots-panel.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AtalayaHotspotsPanel, name)
  BIND (scrolled_window);
  BIND (method_row);
  BIND (layer_row);
  BIND (categories_row);
  BIND (from_entry);
  BIND (to_entry);
  BIND (severity_spin);
  BIND (weight_row);
  BIND (params_group);
  BIND (kernel_row);
  BIND (output_row);
  BIND (shape_row);
  BIND (step_row);
  BIND (radius_row);
  BIND (radius_spin);
  BIND (cell_row);
  BIND (cell_spin);
  BIND (band_row);
  BIND (band_spin);
  BIND (eps_row);
  BIND (eps_spin);
  BIND (eps_days_row);
  BIND (eps_days_spin);
  BIND (min_points_row);
  BIND (min_points_spin);
  BIND (name_entry);
  BIND (run_button);
  BIND (cancel_button);
  BIND (progress_bar);
  BIND (status_label);
#undef BIND
}

static void
atalaya_hotspots_panel_init (AtalayaHotspotsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->layer_values = g_ptr_array_new_with_free_func (g_free);
  self->weight_values = g_ptr_array_new_with_free_func (g_free);
  self->category_rows = g_ptr_array_new ();
  self->category_checks = g_ptr_array_new ();
  self->category_values = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_swapped (self->run_button, "clicked", G_CALLBACK (atalaya_hotspots_panel_run), self);
  g_signal_connect_swapped (self->name_entry, "activate", G_CALLBACK (atalaya_hotspots_panel_run), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (atalaya_hotspots_panel_cancel), self);
  g_signal_connect_swapped (self->method_row, "notify::selected", G_CALLBACK (update_rows), self);
  g_signal_connect_swapped (self->layer_row, "notify::selected", G_CALLBACK (on_layer_changed), self);
  update_rows (self);
}

GtkWidget *
atalaya_hotspots_panel_new (void)
{
  return g_object_new (ATALAYA_TYPE_HOTSPOTS_PANEL, NULL);
}
