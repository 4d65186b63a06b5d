/* atalaya-coverage-panel.c: coverage gaps and new sites, in the side pane
 *
 * The panel gathers the parameters of gis_coverage_run() and
 * gis_coverage_site(), runs them on a worker thread with its own store
 * handle (a GisStore belongs to one thread), with progress and Cancel, and
 * shows a summary card: covered share, uncovered km², facilities and
 * incidents, by country, and the proposed sites.  The uncovered facilities
 * become the map's selection; "Save as Layers" writes the styled result
 * layers with their method record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-coverage-panel-private.h"
#include "atalaya-format.h"

#define TICK_MS 100

enum
{
  SELECTED,
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

G_DEFINE_FINAL_TYPE (AtalayaCoveragePanel, atalaya_coverage_panel, GTK_TYPE_WIDGET)

/* ---- layer lists ------------------------------------------------------------------ */

static GisLayer *
find_layer (AtalayaCoveragePanel *self,
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

/* Fills a combo row with @first (nullable) and @names; selects the first
 * name whose layer has @role, else @first. */
static void
fill_combo (AdwComboRow  *row,
            GPtrArray    *names,
            const char   *first,
            GPtrArray    *out_values,
            AtalayaCoveragePanel *self,
            GisLayerRole  role)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint selected = 0;

  g_ptr_array_set_size (out_values, 0);
  if (first != NULL)
    {
      gtk_string_list_append (list, first);
      g_ptr_array_add (out_values, NULL);
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GisLayer *layer = find_layer (self, name);

      if (selected == 0 && role != GIS_LAYER_ROLE_OTHER && layer != NULL && gis_layer_get_role (layer) == role)
        selected = out_values->len;
      gtk_string_list_append (list, name);
      g_ptr_array_add (out_values, g_strdup (name));
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, selected);
}

static const char *
combo_value (AdwComboRow *row,
             GPtrArray   *values)
{
  guint i = adw_combo_row_get_selected (row);

  return i < values->len ? g_ptr_array_index (values, i) : NULL;
}

/* The numeric fields of @layer_name, after @first. */
static void
fill_fields (AtalayaCoveragePanel *self,
             AdwComboRow          *row,
             const char           *layer_name,
             const char           *first,
             GPtrArray            *out_values,
             const char           *prefer)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  GisLayer *layer = find_layer (self, layer_name);
  guint selected = 0;

  g_ptr_array_set_size (out_values, 0);
  gtk_string_list_append (list, first);
  g_ptr_array_add (out_values, NULL);
  if (layer != NULL && self->store != NULL)
    {
      g_autoptr(GPtrArray) fields = gis_store_get_fields (self->store, layer, NULL);

      for (guint i = 0; fields != NULL && i < fields->len; i++)
        {
          GisField *f = g_ptr_array_index (fields, i);

          if (f->type != GIS_FIELD_INTEGER && f->type != GIS_FIELD_REAL)
            continue;
          if (prefer != NULL && g_strcmp0 (f->name, prefer) == 0)
            selected = out_values->len;
          gtk_string_list_append (list, f->name);
          g_ptr_array_add (out_values, g_strdup (f->name));
        }
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, selected);
}

static void update_rows (AtalayaCoveragePanel *self);
static void set_running (AtalayaCoveragePanel *self,
                         gboolean              running);
static void set_status (AtalayaCoveragePanel *self,
                        const char           *text,
                        gboolean              is_error);

static void
on_resource_toggled (AtalayaCoveragePanel *self)
{
  const char *first = NULL;

  for (guint i = 0; i < self->resource_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->resource_checks, i)))
      {
        first = g_ptr_array_index (self->resource_names, i);
        break;
      }
  fill_fields (self, self->radius_field_row, first, _("None"), self->radius_fields, "radius_km");
  update_rows (self);
}

static void
on_demand_changed (AtalayaCoveragePanel *self)
{
  fill_fields (self, self->weight_row, combo_value (self->demand_row, self->demand_values), _("Count each once"),
               self->weight_fields, NULL);
  update_rows (self);
}

static void
clear_resources (AtalayaCoveragePanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->resources_list))) != NULL)
    gtk_list_box_remove (self->resources_list, child);
  g_ptr_array_set_size (self->resource_checks, 0);
  g_ptr_array_set_size (self->resource_names, 0);
}

/**
 * atalaya_coverage_panel_set_store:
 * @store: (nullable): the window's store
 * @layers: (nullable): its layers
 *
 * Fills the layer choices: ports and resources are the resources, habitat
 * the zone's areas, facilities and incidents the points, by role.
 */
void
atalaya_coverage_panel_set_store (AtalayaCoveragePanel *self,
                                  GisStore             *store,
                                  GListModel           *layers)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) areas = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (ATALAYA_IS_COVERAGE_PANEL (self));

  /* another store: what was computed on the last one goes */
  if (store == NULL || self->store == NULL ||
      g_strcmp0 (gis_store_get_path (store), gis_store_get_path (self->store)) != 0)
    {
      /* a running job is stopped and forgotten: its end finds another
       * cancellable and drops what it made */
      if (self->cancellable != NULL)
        {
          g_cancellable_cancel (self->cancellable);
          g_clear_object (&self->cancellable);
          self->job = NULL;
          set_running (self, FALSE);
        }
      g_clear_pointer (&self->siting, gis_siting_result_free);
      g_clear_pointer (&self->result, gis_coverage_result_free);
      gtk_widget_set_visible (GTK_WIDGET (self->summary_box), FALSE);
      set_status (self, NULL, FALSE);
    }
  g_set_object (&self->store, store);
  g_set_object (&self->layers, layers);
  clear_resources (self);
  for (guint i = 0; layers != NULL && i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);
      const char *type = gis_layer_get_geometry_type (layer);

      if (type == NULL)
        continue;
      if (gis_layer_is_point_layer (layer))
        g_ptr_array_add (points, g_strdup (gis_layer_get_name (layer)));
      else if (strstr (type, "POLYGON") != NULL && gis_layer_get_role (layer) != GIS_LAYER_ROLE_BOUNDARY)
        g_ptr_array_add (areas, g_strdup (gis_layer_get_name (layer)));
    }

  /* ports and resources first, checked */
  for (guint k = 0; k < 2 * points->len; k++)
    {
      const char *name = g_ptr_array_index (points, k % points->len);
      GisLayer *layer = find_layer (self, name);
      GtkWidget *row, *check;
      GisLayerRole role = gis_layer_get_role (layer);
      gboolean resource = role == GIS_LAYER_ROLE_PORT || role == GIS_LAYER_ROLE_RESOURCE;

      if ((k < points->len) != resource)
        continue;
      row = adw_action_row_new ();
      check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   role == GIS_LAYER_ROLE_PORT || role == GIS_LAYER_ROLE_RESOURCE);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_resource_toggled), self);
      gtk_list_box_append (self->resources_list, row);
      g_ptr_array_add (self->resource_checks, check);
      g_ptr_array_add (self->resource_names, g_strdup (name));
    }

  fill_combo (self->zone_layer_row, areas, NULL, self->zone_values, self, GIS_LAYER_ROLE_HABITAT);
  fill_combo (self->facilities_row, points, _("None"), self->facility_values, self, GIS_LAYER_ROLE_FACILITY);
  fill_combo (self->demand_row, points, _("None"), self->demand_values, self, GIS_LAYER_ROLE_INCIDENT);
  fill_combo (self->candidates_row, points, _("A grid over the zone"), self->candidate_values, self,
              GIS_LAYER_ROLE_OTHER);
  on_demand_changed (self);
  on_resource_toggled (self);
  if (areas->len == 0 && adw_combo_row_get_selected (self->zone_kind_row) == 1)
    adw_combo_row_set_selected (self->zone_kind_row, 2);
  update_rows (self);
}

/* ---- what the rows allow ----------------------------------------------------------- */

static gboolean
any_resource (AtalayaCoveragePanel *self)
{
  for (guint i = 0; i < self->resource_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->resource_checks, i)))
      return TRUE;
  return FALSE;
}

static void
set_status (AtalayaCoveragePanel *self,
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

static void
update_rows (AtalayaCoveragePanel *self)
{
  guint zone = adw_combo_row_get_selected (self->zone_kind_row);
  gboolean running = self->cancellable != NULL;
  gboolean demand = combo_value (self->demand_row, self->demand_values) != NULL;
  gboolean something = zone != 0 || demand || combo_value (self->facilities_row, self->facility_values) != NULL;
  gboolean siting = adw_expander_row_get_enable_expansion (self->siting_row);
  gboolean read_only = self->store == NULL || gis_store_is_read_only (self->store);

  gtk_widget_set_visible (GTK_WIDGET (self->zone_layer_row), zone == 1);
  gtk_widget_set_visible (GTK_WIDGET (self->corridor_width_row), zone == 2);
  gtk_widget_set_visible (GTK_WIDGET (self->corridor_pair_row), zone == 2);
  gtk_widget_set_visible (GTK_WIDGET (self->corridor_side_row), zone == 2);
  gtk_widget_set_sensitive (GTK_WIDGET (self->weight_row), demand);
  gtk_widget_set_visible (GTK_WIDGET (self->grid_row), adw_combo_row_get_selected (self->candidates_row) == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button),
                            !running && self->store != NULL && any_resource (self) && something &&
                            (!siting || demand));
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), !running && self->result != NULL && !read_only);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_button),
                               read_only ? _("The store is open read-only") : NULL);
  if (!siting || demand)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_button), NULL);
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_button), _("New sites need the incidents"));
}

/* ---- the job ----------------------------------------------------------------------- */

typedef enum
{
  JOB_RUN,
  JOB_SAVE,
} JobKind;

struct _CoverageJob
{
  JobKind            kind;
  char              *store_path;
  GPtrArray         *strings;      /* owns the params' strings */
  GisCoverageParams  params;
  gboolean           site;
  GisSitingParams    siting;
  char              *save_as;
  GisCoverageResult *result;       /* JOB_SAVE: the panel's, given back at the end */
  GisSitingResult   *siting_result;
  gint64             started_us;
  int                permille;     /* atomic; -1 unknown */
};

typedef struct
{
  GisCoverageResult *result;
  GisSitingResult   *siting;
  GStrv              saved;
  double             seconds;
} CoverageOutcome;

static void
coverage_job_free (gpointer data)
{
  CoverageJob *job = data;

  g_free (job->store_path);
  g_ptr_array_unref (job->strings);
  g_free (job->save_as);
  g_clear_pointer (&job->result, gis_coverage_result_free);
  g_clear_pointer (&job->siting_result, gis_siting_result_free);
  g_free (job);
}

static void
coverage_outcome_free (gpointer data)
{
  CoverageOutcome *o = data;

  g_clear_pointer (&o->result, gis_coverage_result_free);
  g_clear_pointer (&o->siting, gis_siting_result_free);
  g_strfreev (o->saved);
  g_free (o);
}

static const char *
keep (CoverageJob *job,
      const char  *s)
{
  char *copy;

  if (s == NULL)
    return NULL;
  copy = g_strdup (s);
  g_ptr_array_add (job->strings, copy);
  return copy;
}

static void
on_job_progress (double      fraction,
                 const char *message,
                 gpointer    user_data)
{
  CoverageJob *job = user_data;

  g_atomic_int_set (&job->permille, fraction < 0 ? -1 : (int) (CLAMP (fraction, 0, 1) * 1000));
}

static void
coverage_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  CoverageJob *job = task_data;
  g_autoptr(GisStore) store = NULL;
  CoverageOutcome *outcome = g_new0 (CoverageOutcome, 1);
  GError *error = NULL;

  store = gis_store_open (job->store_path,
                          job->kind == JOB_SAVE ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    goto fail;
  if (job->kind == JOB_RUN)
    {
      outcome->result = gis_coverage_run (store, &job->params, on_job_progress, job, cancellable, &error);
      if (outcome->result == NULL)
        goto fail;
      if (job->site)
        {
          g_atomic_int_set (&job->permille, 0);
          outcome->siting = gis_coverage_site (store, outcome->result, &job->siting, on_job_progress, job,
                                               cancellable, &error);
          if (outcome->siting == NULL)
            goto fail;
        }
    }
  else
    {
      g_autoptr(GPtrArray) layers = gis_coverage_save (store, job->result, job->siting_result, job->save_as,
                                                       on_job_progress, job, cancellable, &error);
      GPtrArray *names;

      if (layers == NULL)
        goto fail;
      names = g_ptr_array_new ();
      for (guint i = 0; i < layers->len; i++)
        g_ptr_array_add (names, g_strdup (gis_layer_get_name (g_ptr_array_index (layers, i))));
      g_ptr_array_add (names, NULL);
      outcome->saved = (GStrv) g_ptr_array_free (names, FALSE);
    }
  outcome->seconds = (g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC;
  g_task_return_pointer (task, outcome, coverage_outcome_free);
  return;

fail:
  coverage_outcome_free (outcome);
  g_task_return_error (task, error);
}

static gboolean
on_tick (gpointer user_data)
{
  AtalayaCoveragePanel *self = user_data;
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
set_running (AtalayaCoveragePanel *self,
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

/* ---- the summary card --------------------------------------------------------------- */

static char *
format_km2 (double km2)
{
  return atalaya_format_user ("%'.0f", km2);
}

static char *
format_share (double covered,
              double total)
{
  /* areas: the uncovered part can exceed the zone by a rounding error */
  return total > 0 ? atalaya_format_user ("%.1f %%", CLAMP (100.0 * covered / total, 0.0, 100.0) + 0.0) : g_strdup ("—");
}

static void
grid_text (GtkGrid    *grid,
           int         col,
           int         row,
           const char *text,
           gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), col == 0 ? 0.0f : 1.0f);
  if (heading)
    gtk_widget_add_css_class (label, "dim-label");
  else if (col > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (grid, label, col, row, 1, 1);
}

static const char *
country_name (const char *code)
{
  if (g_strcmp0 (code, "CA") == 0)
    return _("Canada");
  if (g_strcmp0 (code, "US") == 0)
    return _("United States");
  if (g_strcmp0 (code, "MX") == 0)
    return _("Mexico");
  if (code != NULL && *code == '\0')
    return _("Outside");
  return code;
}

static void
show_summary (AtalayaCoveragePanel *self)
{
  GisCoverageResult *r = self->result;
  const GisCoverageCountry *total = gis_coverage_result_get_total (r);
  gboolean zone = total->zone_km2 > 0, fac = self->has_facilities, dem = self->has_demand;
  GtkWidget *child;
  int col = 1;
  g_autofree char *headline = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_grid))) != NULL)
    gtk_grid_remove (self->summary_grid, child);

  if (zone)
    {
      g_autofree char *share = format_share (total->zone_km2 - total->uncovered_km2, total->zone_km2);
      g_autofree char *km2 = format_km2 (total->uncovered_km2);

      /* Translators: the summary's headline, as in "41.3 % covered; 141,491 km² uncovered" */
      headline = g_strdup_printf (_("%s covered; %s km² uncovered"), share, km2);
    }
  else if (dem)
    {
      g_autofree char *share = format_share (total->n_demand - total->n_demand_uncovered, total->n_demand);

      headline = g_strdup_printf (_("%s of the incidents covered"), share);
    }
  else
    {
      g_autofree char *share = format_share (total->n_facilities - total->n_facilities_uncovered, total->n_facilities);

      headline = g_strdup_printf (_("%s of the facilities covered"), share);
    }
  gtk_label_set_text (self->headline_label, headline);

  grid_text (self->summary_grid, 0, 0, "", TRUE);
  if (zone)
    {
      grid_text (self->summary_grid, col++, 0, _("Uncovered km²"), TRUE);
      grid_text (self->summary_grid, col++, 0, _("Covered"), TRUE);
    }
  if (fac)
    grid_text (self->summary_grid, col++, 0, _("Facilities out"), TRUE);
  if (dem)
    grid_text (self->summary_grid, col++, 0, _("Incidents out"), TRUE);

  for (guint i = 0; i <= gis_coverage_result_get_n_countries (r); i++)
    {
      gboolean is_total = i == gis_coverage_result_get_n_countries (r);
      const GisCoverageCountry *c = is_total ? total : gis_coverage_result_get_country (r, i);
      int row = (int) i + 1;

      col = 1;
      grid_text (self->summary_grid, 0, row, is_total ? _("Total") : country_name (c->country), FALSE);
      if (zone)
        {
          g_autofree char *km2 = format_km2 (c->uncovered_km2);
          g_autofree char *share = format_share (c->zone_km2 - c->uncovered_km2, c->zone_km2);

          grid_text (self->summary_grid, col++, row, km2, FALSE);
          grid_text (self->summary_grid, col++, row, share, FALSE);
        }
      if (fac)
        {
          g_autofree char *t = atalaya_format_user ("%'u / %'u", c->n_facilities_uncovered, c->n_facilities);

          grid_text (self->summary_grid, col++, row, t, FALSE);
        }
      if (dem)
        {
          g_autofree char *t = atalaya_format_user ("%'u / %'u", c->n_demand_uncovered, c->n_demand);

          grid_text (self->summary_grid, col++, row, t, FALSE);
        }
    }

  if (self->siting != NULL)
    {
      GisSitingResult *s = self->siting;
      g_autoptr(GString) text = g_string_new (NULL);
      double exact = 0;

      for (guint i = 0; i < gis_siting_result_get_n_sites (s); i++)
        {
          const GisSite *site = gis_siting_result_get_site (s, i);
          g_autofree char *line =
            /* Translators: a proposed site: its rank, lon, lat, country, the demand it adds */
            atalaya_format_user (_("%u. %.4f, %.4f (%s): +%'.0f"), i + 1, site->lon, site->lat,
                                 gis_siting_result_get_country_code (s, site->country), site->added_demand);

          g_string_append_printf (text, "%s\n", line);
        }
      {
        g_autofree char *covered = atalaya_format_user ("%'.0f", gis_siting_result_get_greedy_value (s));
        g_autofree char *before = atalaya_format_user ("%'.0f", gis_siting_result_get_uncovered_before (s));
        g_autofree char *bound = atalaya_format_user ("%'.0f", gis_siting_result_get_upper_bound (s));

        /* Translators: the new sites' figures, as in "They cover 4,884 of 10,624; no choice covers more than 8,110" */
        g_string_append_printf (text, _("They cover %s of %s uncovered; no choice covers more than %s"), covered,
                                before, bound);
        if (gis_siting_result_get_exact (s, &exact))
          {
            g_autofree char *best = atalaya_format_user ("%'.0f", exact);

            g_string_append_printf (text, "\n%s", "");
            g_string_append_printf (text, _("The best choice covers %s"), best);
          }
      }
      gtk_label_set_text (self->sites_label, text->str);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->sites_label), self->siting != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_box), TRUE);
}

/* ---- running and saving ------------------------------------------------------------- */

static void
job_cb (GObject      *object,
        GAsyncResult *res,
        gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AtalayaCoveragePanel) self = g_weak_ref_get (weak);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (res));
  CoverageJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  CoverageOutcome *outcome = g_task_propagate_pointer (G_TASK (res), &error);
  g_autofree char *seconds = NULL;
  g_autofree char *text = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL || cancellable != self->cancellable)
    {
      if (outcome != NULL)
        coverage_outcome_free (outcome);
      return;
    }
  g_clear_object (&self->cancellable);
  self->job = NULL;
  if (job->kind == JOB_SAVE)
    {
      /* the result was lent to the save */
      self->result = g_steal_pointer (&job->result);
      self->siting = g_steal_pointer (&job->siting_result);
    }
  set_running (self, FALSE);

  if (outcome == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, job->kind == JOB_SAVE ? _("Cancelled; the store is as it was") : _("Cancelled"), FALSE);
      else
        set_status (self, error->message, TRUE);
      return;
    }
  seconds = atalaya_format_user (outcome->seconds < 1 ? "%.3f" : "%.2f", outcome->seconds);
  if (job->kind == JOB_SAVE)
    {
      guint n = g_strv_length (outcome->saved);

      text = g_strdup_printf (ngettext ("Saved %u layer in %s s", "Saved %u layers in %s s", n), n, seconds);
      set_status (self, text, FALSE);
      g_signal_emit (self, signals[LAYERS_SAVED], 0, outcome->saved);
      coverage_outcome_free (outcome);
      update_rows (self);
      return;
    }

  g_clear_pointer (&self->siting, gis_siting_result_free);
  g_clear_pointer (&self->result, gis_coverage_result_free);
  self->result = g_steal_pointer (&outcome->result);
  self->siting = g_steal_pointer (&outcome->siting);
  self->has_facilities = job->params.facilities_layer != NULL;
  self->has_demand = job->params.demand_layer != NULL;
  /* Translators: the status after a run, as in "Computed in 0.61 s" */
  text = g_strdup_printf (_("Computed in %s s"), seconds);
  set_status (self, text, FALSE);
  show_summary (self);

  if (self->has_facilities)
    {
      GisLayer *fac = find_layer (self, job->params.facilities_layer);
      g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < gis_coverage_result_get_n_uncovered_facilities (self->result); i++)
        g_array_append_val (fids, gis_coverage_result_get_uncovered_facility (self->result, i)->fid);
      if (fac != NULL)
        g_signal_emit (self, signals[SELECTED], 0, gis_layer_get_id (fac), fids);
    }
  coverage_outcome_free (outcome);
  update_rows (self);
}

static void
start_job (AtalayaCoveragePanel *self,
           CoverageJob          *job)
{
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  job->store_path = g_strdup (gis_store_get_path (self->store));
  job->started_us = g_get_monotonic_time ();
  job->permille = -1;
  self->cancellable = g_cancellable_new ();
  self->job = job;
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, job_cb, weak);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, coverage_job_free);
  g_task_run_in_thread (task, coverage_thread);
  set_status (self, job->kind == JOB_SAVE ? _("Saving…") : _("Computing…"), FALSE);
  set_running (self, TRUE);
}

/**
 * atalaya_coverage_panel_run:
 *
 * Computes the coverage (and the new sites when asked) of the panel's
 * choices on a worker thread.
 */
void
atalaya_coverage_panel_run (AtalayaCoveragePanel *self)
{
  CoverageJob *job;
  GPtrArray *resources;
  const char *pairs[] = { NULL, "US-CA", "US-MX" };
  const char *sides[] = { NULL, "CA", "US", "MX" };
  guint pair, side;

  g_return_if_fail (ATALAYA_IS_COVERAGE_PANEL (self));
  if (self->cancellable != NULL || self->store == NULL || !gtk_widget_get_sensitive (GTK_WIDGET (self->run_button)))
    return;

  job = g_new0 (CoverageJob, 1);
  job->kind = JOB_RUN;
  job->strings = g_ptr_array_new_with_free_func (g_free);
  resources = g_ptr_array_new ();
  for (guint i = 0; i < self->resource_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->resource_checks, i)))
      g_ptr_array_add (resources, (gpointer) keep (job, g_ptr_array_index (self->resource_names, i)));
  g_ptr_array_add (resources, NULL);
  /* the array's storage is kept with the strings */
  job->params.resources = (const char *const *) resources->pdata;
  g_ptr_array_add (job->strings, g_ptr_array_free (resources, FALSE));

  job->params.radius_km = gtk_spin_button_get_value (self->radius_spin);
  job->params.radius_field = keep (job, combo_value (self->radius_field_row, self->radius_fields));
  job->params.cross_border = gtk_switch_get_active (self->cross_border_switch);
  switch (adw_combo_row_get_selected (self->zone_kind_row))
    {
    case 1:
      job->params.zone = GIS_COVERAGE_ZONE_LAYER;
      job->params.zone_layer = keep (job, combo_value (self->zone_layer_row, self->zone_values));
      break;
    case 2:
      job->params.zone = GIS_COVERAGE_ZONE_CORRIDOR;
      job->params.corridor_km = gtk_spin_button_get_value (self->corridor_spin);
      pair = adw_combo_row_get_selected (self->corridor_pair_row);
      side = adw_combo_row_get_selected (self->corridor_side_row);
      job->params.corridor_pair = pair < G_N_ELEMENTS (pairs) ? pairs[pair] : NULL;
      job->params.corridor_side = side < G_N_ELEMENTS (sides) ? sides[side] : NULL;
      break;
    default:
      job->params.zone = GIS_COVERAGE_ZONE_NONE;
      break;
    }
  job->params.facilities_layer = keep (job, combo_value (self->facilities_row, self->facility_values));
  job->params.demand_layer = keep (job, combo_value (self->demand_row, self->demand_values));
  if (job->params.demand_layer != NULL)
    job->params.weight_field = keep (job, combo_value (self->weight_row, self->weight_fields));

  job->site = adw_expander_row_get_enable_expansion (self->siting_row);
  if (job->site)
    {
      job->siting.k = (guint) gtk_spin_button_get_value_as_int (self->k_spin);
      job->siting.candidates_layer = keep (job, combo_value (self->candidates_row, self->candidate_values));
      job->siting.grid_km = gtk_spin_button_get_value (self->grid_spin);
      job->siting.radius_km = gtk_spin_button_get_value (self->site_radius_spin);
      job->siting.exact_max_nodes = 200000;
    }
  start_job (self, job);
}

static void
on_save_clicked (AtalayaCoveragePanel *self)
{
  CoverageJob *job;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));

  if (self->cancellable != NULL || self->result == NULL)
    return;
  if (*name == '\0')
    {
      g_free (name);
      name = g_strdup (_("Coverage"));
    }
  job = g_new0 (CoverageJob, 1);
  job->kind = JOB_SAVE;
  job->strings = g_ptr_array_new_with_free_func (g_free);
  job->save_as = g_steal_pointer (&name);
  job->result = g_steal_pointer (&self->result);
  job->siting_result = g_steal_pointer (&self->siting);
  start_job (self, job);
}

/**
 * atalaya_coverage_panel_cancel:
 *
 * Stops the computation or the saving; a cancelled save leaves the store
 * as it was.
 */
void
atalaya_coverage_panel_cancel (AtalayaCoveragePanel *self)
{
  g_return_if_fail (ATALAYA_IS_COVERAGE_PANEL (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
atalaya_coverage_panel_get_running (AtalayaCoveragePanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_COVERAGE_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

/**
 * atalaya_coverage_panel_get_result:
 *
 * Returns: (transfer none) (nullable): the last coverage computed
 */
GisCoverageResult *
atalaya_coverage_panel_get_result (AtalayaCoveragePanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_COVERAGE_PANEL (self), NULL);
  return self->result;
}

/**
 * atalaya_coverage_panel_get_siting:
 *
 * Returns: (transfer none) (nullable): the last new sites proposed
 */
GisSitingResult *
atalaya_coverage_panel_get_siting (AtalayaCoveragePanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_COVERAGE_PANEL (self), NULL);
  return self->siting;
}

/* ---- GObject ----------------------------------------------------------------------- */

static void
atalaya_coverage_panel_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AtalayaCoveragePanel *self = ATALAYA_COVERAGE_PANEL (object);

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
atalaya_coverage_panel_dispose (GObject *object)
{
  AtalayaCoveragePanel *self = ATALAYA_COVERAGE_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_COVERAGE_PANEL);
  g_clear_object (&self->store);
  g_clear_object (&self->layers);
  G_OBJECT_CLASS (atalaya_coverage_panel_parent_class)->dispose (object);
}

static void
atalaya_coverage_panel_finalize (GObject *object)
{
  AtalayaCoveragePanel *self = ATALAYA_COVERAGE_PANEL (object);

  g_clear_pointer (&self->result, gis_coverage_result_free);
  g_clear_pointer (&self->siting, gis_siting_result_free);
  g_ptr_array_unref (self->resource_checks);
  g_ptr_array_unref (self->resource_names);
  g_ptr_array_unref (self->zone_values);
  g_ptr_array_unref (self->facility_values);
  g_ptr_array_unref (self->demand_values);
  g_ptr_array_unref (self->candidate_values);
  g_ptr_array_unref (self->radius_fields);
  g_ptr_array_unref (self->weight_fields);
  G_OBJECT_CLASS (atalaya_coverage_panel_parent_class)->finalize (object);
}

static void
atalaya_coverage_panel_class_init (AtalayaCoveragePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = atalaya_coverage_panel_get_property;
  object_class->dispose = atalaya_coverage_panel_dispose;
  object_class->finalize = atalaya_coverage_panel_finalize;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaCoveragePanel::selected:
   * @layer_id: the facilities layer
   * @fids: (element-type gint64): the uncovered facilities
   */
  signals[SELECTED] = g_signal_new ("selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_ARRAY);
  /**
   * AtalayaCoveragePanel::layers-saved:
   * @names: the new layers' names
   */
  signals[LAYERS_SAVED] = g_signal_new ("layers-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-coverage-panel.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AtalayaCoveragePanel, name)
  BIND (scrolled_window);
  BIND (resources_list);
  BIND (radius_spin);
  BIND (radius_field_row);
  BIND (cross_border_switch);
  BIND (zone_kind_row);
  BIND (zone_layer_row);
  BIND (corridor_width_row);
  BIND (corridor_spin);
  BIND (corridor_pair_row);
  BIND (corridor_side_row);
  BIND (facilities_row);
  BIND (demand_row);
  BIND (weight_row);
  BIND (siting_row);
  BIND (k_spin);
  BIND (candidates_row);
  BIND (grid_row);
  BIND (grid_spin);
  BIND (site_radius_spin);
  BIND (run_button);
  BIND (cancel_button);
  BIND (progress_bar);
  BIND (status_label);
  BIND (summary_box);
  BIND (headline_label);
  BIND (summary_grid);
  BIND (sites_label);
  BIND (name_entry);
  BIND (save_button);
#undef BIND
}

static void
atalaya_coverage_panel_init (AtalayaCoveragePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->resource_checks = g_ptr_array_new ();
  self->resource_names = g_ptr_array_new_with_free_func (g_free);
  self->zone_values = g_ptr_array_new_with_free_func (g_free);
  self->facility_values = g_ptr_array_new_with_free_func (g_free);
  self->demand_values = g_ptr_array_new_with_free_func (g_free);
  self->candidate_values = g_ptr_array_new_with_free_func (g_free);
  self->radius_fields = g_ptr_array_new_with_free_func (g_free);
  self->weight_fields = g_ptr_array_new_with_free_func (g_free);

  adw_combo_row_set_selected (self->zone_kind_row, 2);
  adw_combo_row_set_selected (self->corridor_pair_row, 2);
  g_signal_connect_swapped (self->run_button, "clicked", G_CALLBACK (atalaya_coverage_panel_run), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (atalaya_coverage_panel_cancel), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked), self);
  g_signal_connect_swapped (self->name_entry, "activate", G_CALLBACK (on_save_clicked), self);
  g_signal_connect_swapped (self->zone_kind_row, "notify::selected", G_CALLBACK (update_rows), self);
  g_signal_connect_swapped (self->facilities_row, "notify::selected", G_CALLBACK (update_rows), self);
  g_signal_connect_swapped (self->demand_row, "notify::selected", G_CALLBACK (on_demand_changed), self);
  g_signal_connect_swapped (self->candidates_row, "notify::selected", G_CALLBACK (update_rows), self);
  g_signal_connect_swapped (self->siting_row, "notify::enable-expansion", G_CALLBACK (update_rows), self);
  update_rows (self);
}

GtkWidget *
atalaya_coverage_panel_new (void)
{
  return g_object_new (ATALAYA_TYPE_COVERAGE_PANEL, NULL);
}
