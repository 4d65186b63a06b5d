/* atalaya-map-controller.c: what the map shows, kept in step with the store
 *
 * For each layer of the store the controller keeps its style, its data in
 * the display CRS (loaded on a worker thread, reloaded when the CRS, the
 * fields a style needs, or the features change) and its selection.  From
 * these it builds scenes: immutable lists of GisRenderLayer that the map
 * view hands to the renderer on its worker thread.  Nothing shared with a
 * render job is ever changed: a change makes a new render layer.
 *
 * On top of the store's layers it may draw an overlay: geometries that
 * are not a layer of the store (the SQL console's result).  It keeps
 * their WKB, so that a new display CRS projects them again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-map-controller"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "atalaya-map-controller.h"

/* ---- the scene: what one render job draws -------------------------------- */

#define ATALAYA_TYPE_MAP_SCENE (atalaya_map_scene_get_type ())
G_DECLARE_FINAL_TYPE (AtalayaMapScene, atalaya_map_scene, ATALAYA, MAP_SCENE, GObject)

struct _AtalayaMapScene
{
  GObject    parent_instance;
  GPtrArray *layers;    /* GisRenderLayer, bottom first */
};

G_DEFINE_FINAL_TYPE (AtalayaMapScene, atalaya_map_scene, G_TYPE_OBJECT)

static void
atalaya_map_scene_finalize (GObject *object)
{
  AtalayaMapScene *self = (AtalayaMapScene *) object;

  g_clear_pointer (&self->layers, g_ptr_array_unref);
  G_OBJECT_CLASS (atalaya_map_scene_parent_class)->finalize (object);
}

static void
atalaya_map_scene_class_init (AtalayaMapSceneClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = atalaya_map_scene_finalize;
}

static void
atalaya_map_scene_init (AtalayaMapScene *self)
{
  self->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_render_layer_unref);
}

static cairo_surface_t *
render_scene (const GisViewState *state,
              double              device_scale,
              GObject            *scene,
              GCancellable       *cancellable,
              gpointer            user_data)
{
  AtalayaMapScene *s = (AtalayaMapScene *) scene;

  if (s == NULL)
    return gis_render_image (state, NULL, 0, device_scale, cancellable);
  return gis_render_image (state, (GisRenderLayer *const *) s->layers->pdata, s->layers->len,
                           device_scale, cancellable);
}

/* ---- per layer state --------------------------------------------------------- */

typedef struct
{
  GisLayer       *layer;
  GisStyle       *style;
  GisLayerData   *data;        /* nullable while loading */
  GisRenderLayer *render;      /* nullable; data + style + settings */
  GCancellable   *loading;     /* nullable */
  GArray         *selection;   /* sorted gint64 fids */
  gboolean        broken;      /* the last load failed */
} LayerState;

static void
layer_state_free (gpointer data)
{
  LayerState *ls = data;

  if (ls->loading != NULL)
    g_cancellable_cancel (ls->loading);
  g_clear_object (&ls->loading);
  g_clear_pointer (&ls->render, gis_render_layer_unref);
  g_clear_pointer (&ls->data, gis_layer_data_unref);
  g_clear_pointer (&ls->style, gis_style_unref);
  g_clear_pointer (&ls->selection, g_array_unref);
  g_clear_object (&ls->layer);
  g_free (ls);
}

struct _AtalayaMapController
{
  GObject         parent_instance;

  /* Borrowed */
  AtalayaMapView *view;

  /* Owned */
  GisStore       *store;
  char           *store_path;
  GListModel     *layers;
  GHashTable     *states;       /* layer id -> LayerState */
  gboolean        time_enabled;
  gint64          time_from;
  gint64          time_to;
  guint           rebuild_id;

  /* The overlay */
  GPtrArray      *overlay_wkb;      /* GBytes, nullable elements; NULL: none */
  GisCrs         *overlay_crs;
  GisLayerData   *overlay_data;     /* nullable while it is built */
  GisRenderLayer *overlay_render;
  GCancellable   *overlay_loading;  /* nullable */
  gint64          overlay_selected; /* a feature to highlight; -1: none */
};

G_DEFINE_FINAL_TYPE (AtalayaMapController, atalaya_map_controller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_OVERLAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DATA_CHANGED,
  ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load_layer (AtalayaMapController *self,
                        LayerState           *ls);
static void load_overlay (AtalayaMapController *self);

/* Builds the render layer of @ls from its data, style and the settings. */
static void
update_render_layer (AtalayaMapController *self,
                     LayerState           *ls)
{
  g_autoptr(GError) error = NULL;
  GisRenderLayer *render;

  g_clear_pointer (&ls->render, gis_render_layer_unref);
  if (ls->data == NULL)
    return;

  render = gis_render_layer_new (ls->data, ls->style, &error);
  if (render == NULL)
    {
      g_signal_emit (self, signals[ERROR], 0, error);
      return;
    }

  gis_render_layer_set_opacity (render, gis_layer_get_opacity (ls->layer));
  if (self->time_enabled && gis_layer_data_has_time (ls->data))
    gis_render_layer_set_time_range (render, self->time_from, self->time_to);
  if (ls->selection->len > 0)
    gis_render_layer_set_selection (render, (const gint64 *) (gpointer) ls->selection->data,
                                    ls->selection->len);
  gis_render_layer_set_show_labels (render, gis_style_get_label (ls->style)->field != NULL);
  ls->render = render;
}

static gboolean
rebuild_scene_now (gpointer user_data)
{
  AtalayaMapController *self = user_data;
  g_autoptr(AtalayaMapScene) scene = g_object_new (ATALAYA_TYPE_MAP_SCENE, NULL);
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;

  self->rebuild_id = 0;
  if (self->view == NULL)
    return G_SOURCE_REMOVE;

  /* the layer model is in drawing order, bottom first */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);
      LayerState *ls = g_hash_table_lookup (self->states, &(gint64) { gis_layer_get_id (layer) });

      if (ls == NULL || !gis_layer_get_visible (layer))
        continue;
      if (ls->data == NULL && ls->loading == NULL && !ls->broken)
        load_layer (self, ls);
      if (ls->render != NULL)
        g_ptr_array_add (scene->layers, gis_render_layer_ref (ls->render));
    }
  if (self->overlay_render != NULL)
    g_ptr_array_add (scene->layers, gis_render_layer_ref (self->overlay_render));

  atalaya_map_view_set_scene (self->view, G_OBJECT (scene));
  return G_SOURCE_REMOVE;
}

static void
queue_rebuild (AtalayaMapController *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, rebuild_scene_now, self, NULL);
}

static gboolean
any_loading (AtalayaMapController *self)
{
  GHashTableIter iter;
  LayerState *ls;

  if (self->overlay_loading != NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
    if (ls->loading != NULL)
      return TRUE;
  return FALSE;
}

typedef struct
{
  AtalayaMapController *self;
  gint64                layer_id;
  GCancellable         *cancellable;
} LoadData;

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadData *ld = user_data;
  g_autoptr(AtalayaMapController) self = ld->self;
  g_autoptr(GCancellable) cancellable = ld->cancellable;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayerData) data = gis_layer_data_load_finish (result, &error);
  LayerState *ls;

  ls = g_hash_table_lookup (self->states, &ld->layer_id);
  g_free (ld);

  /* the layer went away, or a newer load replaced this one */
  if (ls == NULL || ls->loading != cancellable)
    return;
  g_clear_object (&ls->loading);

  if (data == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          ls->broken = TRUE;
          g_signal_emit (self, signals[ERROR], 0, error);
        }
    }
  else
    {
      g_clear_pointer (&ls->data, gis_layer_data_unref);
      ls->data = g_steal_pointer (&data);
      ls->broken = FALSE;
      /* graduated classes come from the data the first time */
      if (gis_style_get_kind (ls->style) == GIS_STYLE_GRADUATED)
        {
          guint n_breaks = 0;

          gis_style_get_breaks (ls->style, &n_breaks);
          if (n_breaks == 0)
            {
              GisStyle *copy = gis_style_copy (ls->style);

              if (gis_style_compute_breaks (copy, ls->data, NULL))
                {
                  gis_style_unref (ls->style);
                  ls->style = copy;
                }
              else
                gis_style_unref (copy);
            }
        }
      update_render_layer (self, ls);
      queue_rebuild (self);
      g_signal_emit (self, signals[DATA_CHANGED], 0, gis_layer_get_id (ls->layer));
    }

  if (!any_loading (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
load_layer (AtalayaMapController *self,
            LayerState           *ls)
{
  g_auto(GStrv) fields = NULL;
  LoadData *ld;
  gboolean was_loading = any_loading (self);

  /* a raster has no table: its layer data is its grid */
  if (self->store_path == NULL ||
      (gis_layer_get_table_name (ls->layer) == NULL && !gis_layer_is_raster (ls->layer)))
    return;

  if (ls->loading != NULL)
    g_cancellable_cancel (ls->loading);
  g_clear_object (&ls->loading);
  ls->loading = g_cancellable_new ();

  fields = gis_style_dup_fields (ls->style);
  ld = g_new0 (LoadData, 1);
  ld->self = g_object_ref (self);
  ld->layer_id = gis_layer_get_id (ls->layer);
  ld->cancellable = g_object_ref (ls->loading);
  gis_layer_data_load_async (self->store_path, gis_layer_get_id (ls->layer),
                             gis_viewport_get_crs (atalaya_map_view_get_viewport (self->view)),
                             (const char *const *) fields, ls->loading, load_cb, ld);

  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* ---- the overlay ---------------------------------------------------------------- */

/* Magenta, unlike any layer's default style and unlike the blue of saved
 * result layers: the overlay is temporary.  Points are opaque markers
 * with a white outline; lines and polygons a strong outline over a
 * light fill, so that the layers below still show. */
static GisStyle *
overlay_style (GisLayerData *data)
{
  GisSymbol s;

  gis_symbol_init (&s);
  if (!gis_color_parse (GIS_STYLE_OVERLAY_COLOR, &s.fill))
    g_assert_not_reached ();
  s.stroke = s.fill;
  s.size_px = 9.0;
  if (gis_layer_data_is_point_layer (data))
    {
      if (!gis_color_parse ("#ffffff", &s.stroke))
        g_assert_not_reached ();
      s.stroke_width_px = 1.5;
    }
  else
    {
      s.fill.a = 0.25;
      s.stroke_width_px = 2.0;
    }
  return gis_style_new_single (&s);
}

typedef struct
{
  GPtrArray *wkb;
  GisCrs    *wkb_crs;
  GisCrs    *display_crs;
} OverlayJob;

static void
overlay_job_free (gpointer data)
{
  OverlayJob *job = data;

  g_ptr_array_unref (job->wkb);
  g_clear_pointer (&job->wkb_crs, gis_crs_unref);
  gis_crs_unref (job->display_crs);
  g_free (job);
}

static void
overlay_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  OverlayJob *job = task_data;
  GError *error = NULL;
  GisLayerData *data;

  data = gis_layer_data_new_from_wkb (job->wkb, job->wkb_crs, job->display_crs, &error);
  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, data, (GDestroyNotify) gis_layer_data_unref);
}

static void
load_overlay_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AtalayaMapController *self = ATALAYA_MAP_CONTROLLER (object);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayerData) data = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GisStyle) style = NULL;

  /* cleared, or replaced by a newer overlay */
  if (cancellable != self->overlay_loading || g_cancellable_is_cancelled (cancellable))
    return;
  g_clear_object (&self->overlay_loading);

  if (data == NULL)
    g_signal_emit (self, signals[ERROR], 0, error);
  else if (self->view != NULL &&
           !gis_crs_equal (gis_layer_data_get_crs (data),
                           gis_viewport_get_crs (atalaya_map_view_get_viewport (self->view))))
    {
      /* the display CRS changed meanwhile */
      load_overlay (self);
      return;
    }
  else
    {
      style = overlay_style (data);
      self->overlay_render = gis_render_layer_new (data, style, &error);
      if (self->overlay_render == NULL)
        g_signal_emit (self, signals[ERROR], 0, error);
      else
        {
          self->overlay_data = g_steal_pointer (&data);
          if (self->overlay_selected >= 0)
            gis_render_layer_set_selection (self->overlay_render, &self->overlay_selected, 1);
        }
      queue_rebuild (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
    }

  if (!any_loading (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Projects the overlay's geometries to the display CRS on a worker thread. */
static void
load_overlay (AtalayaMapController *self)
{
  g_autoptr(GTask) task = NULL;
  gboolean was_loading = any_loading (self);
  OverlayJob *job;

  if (self->overlay_loading != NULL)
    g_cancellable_cancel (self->overlay_loading);
  g_clear_object (&self->overlay_loading);
  if (self->overlay_wkb == NULL || self->view == NULL)
    return;
  self->overlay_loading = g_cancellable_new ();

  job = g_new0 (OverlayJob, 1);
  job->wkb = g_ptr_array_ref (self->overlay_wkb);
  job->wkb_crs = self->overlay_crs != NULL ? gis_crs_ref (self->overlay_crs) : NULL;
  job->display_crs = gis_crs_ref (gis_viewport_get_crs (atalaya_map_view_get_viewport (self->view)));
  task = g_task_new (self, self->overlay_loading, load_overlay_cb, NULL);
  g_task_set_source_tag (task, load_overlay);
  g_task_set_task_data (task, job, overlay_job_free);
  g_task_run_in_thread (task, overlay_thread);

  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Forgets the overlay's projected data (not its geometries). */
static gboolean
drop_overlay_data (AtalayaMapController *self)
{
  gboolean had = self->overlay_data != NULL || self->overlay_render != NULL;

  if (self->overlay_loading != NULL)
    g_cancellable_cancel (self->overlay_loading);
  g_clear_object (&self->overlay_loading);
  g_clear_pointer (&self->overlay_render, gis_render_layer_unref);
  g_clear_pointer (&self->overlay_data, gis_layer_data_unref);
  return had;
}

static GisStyle *
style_for_layer (AtalayaMapController *self,
                 GisLayer             *layer)
{
  const char *json = gis_layer_get_style_json (layer);

  if (json != NULL && *json != '\0')
    {
      g_autoptr(GError) error = NULL;
      GisStyle *style = gis_style_new_from_json (json, &error);

      if (style != NULL)
        return style;
      g_warning ("Layer “%s” has a style that cannot be read (%s); using the default",
                 gis_layer_get_name (layer), error->message);
    }
  return gis_style_new_default (layer);
}

static void
on_layer_notify (GisLayer             *layer,
                 GParamSpec           *pspec,
                 AtalayaMapController *self)
{
  LayerState *ls = g_hash_table_lookup (self->states, &(gint64) { gis_layer_get_id (layer) });

  if (ls == NULL)
    return;
  if (g_strcmp0 (pspec->name, "opacity") == 0)
    update_render_layer (self, ls);
  queue_rebuild (self);
}

static void
watch_layer (AtalayaMapController *self,
             GisLayer             *layer)
{
  g_signal_connect_object (layer, "notify::visible", G_CALLBACK (on_layer_notify), self, 0);
  g_signal_connect_object (layer, "notify::opacity", G_CALLBACK (on_layer_notify), self, 0);
  g_signal_connect_object (layer, "notify::z-order", G_CALLBACK (on_layer_notify), self, 0);
}

/* Makes the states follow the layer model: new layers get a state, gone
 * ones lose theirs. */
static void
sync_states (AtalayaMapController *self)
{
  g_autoptr(GHashTable) keep = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;
  GHashTableIter iter;
  gint64 *key;
  LayerState *ls;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);
      gint64 id = gis_layer_get_id (layer);

      ls = g_hash_table_lookup (self->states, &id);
      if (ls == NULL)
        {
          ls = g_new0 (LayerState, 1);
          ls->layer = g_object_ref (layer);
          ls->style = style_for_layer (self, layer);
          ls->selection = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (self->states, g_memdup2 (&id, sizeof id), ls);
          watch_layer (self, layer);
        }
      else if (ls->layer != layer)
        {
          /* a fresh registry row of the same layer */
          g_signal_handlers_disconnect_by_data (ls->layer, self);
          g_set_object (&ls->layer, layer);
          watch_layer (self, layer);
        }
      g_hash_table_add (keep, g_memdup2 (&id, sizeof id));
    }

  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &ls))
    if (!g_hash_table_contains (keep, key))
      {
        g_signal_handlers_disconnect_by_data (ls->layer, self);
        g_hash_table_iter_remove (&iter);
      }

  queue_rebuild (self);
}

static void
on_layers_items_changed (GListModel           *layers,
                         guint                 position,
                         guint                 removed,
                         guint                 added,
                         AtalayaMapController *self)
{
  sync_states (self);
}

static void
on_crs_changed (GisViewport          *viewport,
                AtalayaMapController *self)
{
  GHashTableIter iter;
  LayerState *ls;
  gboolean any = FALSE;

  /* only a change of CRS invalidates the data */
  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
    if (ls->data != NULL && !gis_crs_equal (gis_layer_data_get_crs (ls->data),
                                           gis_viewport_get_crs (viewport)))
      {
        g_clear_pointer (&ls->data, gis_layer_data_unref);
        g_clear_pointer (&ls->render, gis_render_layer_unref);
        any = TRUE;
      }
  if (self->overlay_data != NULL &&
      !gis_crs_equal (gis_layer_data_get_crs (self->overlay_data), gis_viewport_get_crs (viewport)))
    {
      drop_overlay_data (self);
      load_overlay (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
      any = TRUE;
    }
  if (any)
    queue_rebuild (self);
}

/* ---- object ---------------------------------------------------------------------- */

static void
atalaya_map_controller_dispose (GObject *object)
{
  AtalayaMapController *self = (AtalayaMapController *) object;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->view != NULL)
    g_signal_handlers_disconnect_by_data (atalaya_map_view_get_viewport (self->view), self);
  if (self->layers != NULL)
    g_signal_handlers_disconnect_by_data (self->layers, self);
  if (self->states != NULL)
    {
      GHashTableIter iter;
      LayerState *ls;

      g_hash_table_iter_init (&iter, self->states);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
        g_signal_handlers_disconnect_by_data (ls->layer, self);
    }
  g_clear_pointer (&self->states, g_hash_table_unref);
  drop_overlay_data (self);
  g_clear_pointer (&self->overlay_wkb, g_ptr_array_unref);
  g_clear_pointer (&self->overlay_crs, gis_crs_unref);
  g_clear_object (&self->layers);
  g_clear_object (&self->store);
  g_clear_pointer (&self->store_path, g_free);
  if (self->view != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->view), (gpointer *) &self->view);
  self->view = NULL;

  G_OBJECT_CLASS (atalaya_map_controller_parent_class)->dispose (object);
}

static void
atalaya_map_controller_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AtalayaMapController *self = ATALAYA_MAP_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, atalaya_map_controller_get_loading (self));
      break;
    case PROP_OVERLAY:
      g_value_set_boxed (value, self->overlay_data);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_map_controller_class_init (AtalayaMapControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = atalaya_map_controller_dispose;
  object_class->get_property = atalaya_map_controller_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaMapController:overlay: (nullable)
   *
   * The overlay's data in the display CRS, once it is projected; %NULL
   * without overlay, and while it is projected.
   */
  properties[PROP_OVERLAY] =
    g_param_spec_boxed ("overlay", NULL, NULL, GIS_TYPE_LAYER_DATA,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaMapController::data-changed:
   * @layer_id: the layer whose data was (re)loaded
   */
  signals[DATA_CHANGED] =
    g_signal_new ("data-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * AtalayaMapController::error:
   * @error: (type GLib.Error): a layer could not be loaded or styled
   */
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
atalaya_map_controller_init (AtalayaMapController *self)
{
  self->overlay_selected = -1;
  self->states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, layer_state_free);
}

/* ---- public API -------------------------------------------------------------------- */

/**
 * atalaya_map_controller_new:
 * @view: the map view to feed (not referenced; the controller must not
 *   outlive it)
 */
AtalayaMapController *
atalaya_map_controller_new (AtalayaMapView *view)
{
  AtalayaMapController *self;

  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (view), NULL);

  /* one processor stays with the main thread, so that the map follows
   * the hand while a render runs */
  gis_render_set_max_threads (MAX ((int) g_get_num_processors () - 1, 1));

  self = g_object_new (ATALAYA_TYPE_MAP_CONTROLLER, NULL);
  self->view = view;
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);
  atalaya_map_view_set_render_func (view, render_scene, NULL);
  g_signal_connect (atalaya_map_view_get_viewport (view), "changed",
                    G_CALLBACK (on_crs_changed), self);
  return self;
}

/**
 * atalaya_map_controller_set_store:
 * @store: (nullable): the open store
 * @layers: (nullable): its layers in drawing order
 */
void
atalaya_map_controller_set_store (AtalayaMapController *self,
                                  GisStore             *store,
                                  GListModel           *layers)
{
  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  if (self->layers != NULL)
    g_signal_handlers_disconnect_by_data (self->layers, self);
  g_hash_table_remove_all (self->states);
  /* the overlay belongs to the store's data; the same store listed again
   * (after an edit) keeps it */
  if (store != self->store)
    atalaya_map_controller_set_overlay (self, NULL, NULL);
  g_set_object (&self->store, store);
  g_set_object (&self->layers, layers);
  g_clear_pointer (&self->store_path, g_free);
  if (store != NULL)
    self->store_path = g_strdup (gis_store_get_path (store));
  if (layers != NULL)
    g_signal_connect (layers, "items-changed", G_CALLBACK (on_layers_items_changed), self);
  sync_states (self);
}

/**
 * atalaya_map_controller_get_style:
 *
 * Returns: (transfer none) (nullable): the layer's style; do not change
 *   it, set a copy with atalaya_map_controller_set_style()
 */
GisStyle *
atalaya_map_controller_get_style (AtalayaMapController *self,
                                  gint64                layer_id)
{
  LayerState *ls;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), NULL);

  ls = g_hash_table_lookup (self->states, &layer_id);
  return ls != NULL ? ls->style : NULL;
}

static gboolean
data_has_fields (GisLayerData *data,
                 GisStyle     *style)
{
  g_auto(GStrv) fields = gis_style_dup_fields (style);

  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    if (gis_layer_data_find_column (data, fields[i]) < 0)
      return FALSE;
  return TRUE;
}

/**
 * atalaya_map_controller_set_style:
 * @self: a controller
 * @layer_id: a layer
 * @style: its new style (referenced)
 * @error: return location for an error
 *
 * Draws the layer with @style and saves the style in the store.
 *
 * Returns: %TRUE on success
 */
gboolean
atalaya_map_controller_set_style (AtalayaMapController  *self,
                                  gint64                 layer_id,
                                  GisStyle              *style,
                                  GError               **error)
{
  LayerState *ls;
  g_autofree char *json = NULL;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), FALSE);
  g_return_val_if_fail (style != NULL, FALSE);

  ls = g_hash_table_lookup (self->states, &layer_id);
  if (ls == NULL)
    return TRUE;

  json = gis_style_to_json (style);
  gis_layer_set_style_json (ls->layer, json);
  if (self->store != NULL && !gis_store_save_layer_properties (self->store, ls->layer, error))
    return FALSE;

  gis_style_unref (ls->style);
  ls->style = gis_style_ref (style);

  if (ls->data != NULL && !data_has_fields (ls->data, style))
    load_layer (self, ls);
  else
    update_render_layer (self, ls);
  queue_rebuild (self);
  return TRUE;
}

/**
 * atalaya_map_controller_get_data:
 *
 * Returns: (transfer none) (nullable): the layer's data in the display CRS
 */
GisLayerData *
atalaya_map_controller_get_data (AtalayaMapController *self,
                                 gint64                layer_id)
{
  LayerState *ls;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), NULL);

  ls = g_hash_table_lookup (self->states, &layer_id);
  return ls != NULL ? ls->data : NULL;
}

/**
 * atalaya_map_controller_reload_layer:
 *
 * Reads the layer's features again, after an edit.  The old data stays on
 * screen until the new data is in.
 */
void
atalaya_map_controller_reload_layer (AtalayaMapController *self,
                                     gint64                layer_id)
{
  LayerState *ls;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  ls = g_hash_table_lookup (self->states, &layer_id);
  if (ls != NULL)
    {
      ls->broken = FALSE;
      load_layer (self, ls);
    }
}

void
atalaya_map_controller_reload_all (AtalayaMapController *self)
{
  GHashTableIter iter;
  LayerState *ls;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
    {
      ls->broken = FALSE;
      if (ls->data != NULL || ls->loading != NULL)
        load_layer (self, ls);
    }
  queue_rebuild (self);
}

/**
 * atalaya_map_controller_set_time_filter:
 * @enabled: filter layers that have dates
 * @from_s: first second shown
 * @to_s: first second no longer shown
 */
void
atalaya_map_controller_set_time_filter (AtalayaMapController *self,
                                        gboolean              enabled,
                                        gint64                from_s,
                                        gint64                to_s)
{
  GHashTableIter iter;
  LayerState *ls;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  self->time_enabled = enabled;
  self->time_from = from_s;
  self->time_to = to_s;

  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
    if (ls->data != NULL && gis_layer_data_has_time (ls->data))
      update_render_layer (self, ls);
  queue_rebuild (self);
}

/**
 * atalaya_map_controller_get_time_range:
 * @min_s: (out): earliest date of the loaded layers that have dates
 * @max_s: (out): the latest
 *
 * Returns: %FALSE when no loaded layer has dates
 */
gboolean
atalaya_map_controller_get_time_range (AtalayaMapController *self,
                                       gint64               *min_s,
                                       gint64               *max_s)
{
  GHashTableIter iter;
  LayerState *ls;
  gint64 lo = G_MAXINT64, hi = G_MININT64;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), FALSE);

  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
    {
      const gint64 *t;
      guint n;

      if (ls->data == NULL || !gis_layer_data_has_time (ls->data))
        continue;
      t = gis_layer_data_get_times (ls->data);
      n = gis_layer_data_get_n_features (ls->data);
      for (guint i = 0; i < n; i++)
        if (t[i] != G_MININT64)
          {
            lo = MIN (lo, t[i]);
            hi = MAX (hi, t[i]);
          }
    }
  if (lo > hi)
    return FALSE;
  *min_s = lo;
  *max_s = hi;
  return TRUE;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

void
atalaya_map_controller_set_selection (AtalayaMapController *self,
                                      gint64                layer_id,
                                      const gint64         *fids,
                                      gsize                 n_fids)
{
  LayerState *ls;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  ls = g_hash_table_lookup (self->states, &layer_id);
  if (ls == NULL)
    return;
  g_array_set_size (ls->selection, 0);
  if (n_fids > 0)
    {
      g_array_append_vals (ls->selection, fids, (guint) n_fids);
      qsort (ls->selection->data, ls->selection->len, sizeof (gint64), compare_int64);
    }
  update_render_layer (self, ls);
  queue_rebuild (self);
}

/**
 * atalaya_map_controller_get_selection:
 *
 * Returns: (transfer none) (array length=n_fids) (nullable): the selected
 *   fids of the layer, sorted
 */
const gint64 *
atalaya_map_controller_get_selection (AtalayaMapController *self,
                                      gint64                layer_id,
                                      gsize                *n_fids)
{
  LayerState *ls;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), NULL);

  ls = g_hash_table_lookup (self->states, &layer_id);
  *n_fids = ls != NULL ? ls->selection->len : 0;
  return ls != NULL && ls->selection->len > 0 ? (const gint64 *) (gpointer) ls->selection->data : NULL;
}

void
atalaya_map_controller_clear_selection (AtalayaMapController *self)
{
  GHashTableIter iter;
  LayerState *ls;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ls))
    if (ls->selection->len > 0)
      {
        g_array_set_size (ls->selection, 0);
        update_render_layer (self, ls);
      }
  queue_rebuild (self);
}

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const AtalayaHit *x = a, *y = b;

  return x->distance_px < y->distance_px ? -1 : x->distance_px > y->distance_px;
}

/**
 * atalaya_map_controller_hit_test:
 * @self: a controller
 * @px: pixel x in the map view
 * @py: pixel y
 * @tolerance_px: how near a point or line must be
 * @only_layer_id: a layer to restrict to, or -1 for every visible layer
 *
 * The features drawn under a pixel, nearest first, top layer first for
 * equal distances.  Features hidden by the time filter are not hit.
 *
 * Returns: (transfer full): an array of #AtalayaHit
 */
GArray *
atalaya_map_controller_hit_test (AtalayaMapController *self,
                                 double                px,
                                 double                py,
                                 double                tolerance_px,
                                 gint64                only_layer_id)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (AtalayaHit));
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));
  GisViewport *viewport;
  guint n;
  double mx, my, res;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), hits);

  viewport = atalaya_map_view_get_viewport (self->view);
  gis_viewport_pixel_to_map (viewport, px, py, &mx, &my);
  res = gis_viewport_get_resolution (viewport);
  n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;

  /* top layer first */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);
      LayerState *ls = g_hash_table_lookup (self->states, &(gint64) { gis_layer_get_id (layer) });
      const gint64 *fids;

      if (ls == NULL || ls->data == NULL || ls->render == NULL || !gis_layer_get_visible (layer))
        continue;
      if (only_layer_id >= 0 && gis_layer_get_id (layer) != only_layer_id)
        continue;

      g_array_set_size (indices, 0);
      gis_layer_data_hit_test (ls->data, mx, my, tolerance_px * res, indices);
      fids = gis_layer_data_get_fids (ls->data);
      for (guint k = 0; k < indices->len; k++)
        {
          guint index = g_array_index (indices, guint, k);
          AtalayaHit hit = { gis_layer_get_id (layer), fids[index], 0 };
          GisExtent e;

          if (!gis_render_layer_is_visible (ls->render, index))
            continue;
          if (gis_layer_data_get_feature_kind (ls->data, index) == GIS_FEATURE_POINT)
            {
              gis_layer_data_get_feature_extent (ls->data, index, &e);
              hit.distance_px = hypot (e.min_x - mx, e.min_y - my) / res;
            }
          g_array_append_val (hits, hit);
        }
    }

  g_array_sort (hits, compare_hits);
  return hits;
}

/**
 * atalaya_map_controller_select_box:
 * @map_box: a box in the display CRS
 *
 * Returns: (transfer full): the fids (gint64) of the layer's visible
 *   features in @map_box
 */
GArray *
atalaya_map_controller_select_box (AtalayaMapController *self,
                                   gint64                layer_id,
                                   const GisExtent      *map_box)
{
  GArray *fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));
  LayerState *ls;
  const gint64 *all;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), fids);

  ls = g_hash_table_lookup (self->states, &layer_id);
  if (ls == NULL || ls->data == NULL || ls->render == NULL)
    return fids;

  gis_layer_data_query_box (ls->data, map_box, indices);
  all = gis_layer_data_get_fids (ls->data);
  for (guint k = 0; k < indices->len; k++)
    {
      guint index = g_array_index (indices, guint, k);

      if (gis_render_layer_is_visible (ls->render, index))
        g_array_append_val (fids, all[index]);
    }
  return fids;
}

gboolean
atalaya_map_controller_get_loading (AtalayaMapController *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), FALSE);
  return any_loading (self);
}

/**
 * atalaya_map_controller_get_fids_extent:
 * @out_map_extent: (out): the box around those features, display CRS
 *
 * Returns: %FALSE when none of @fids is loaded
 */
gboolean
atalaya_map_controller_get_fids_extent (AtalayaMapController *self,
                                        gint64                layer_id,
                                        const gint64         *fids,
                                        gsize                 n_fids,
                                        GisExtent            *out_map_extent)
{
  LayerState *ls;

  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), FALSE);

  gis_extent_init_empty (out_map_extent);
  ls = g_hash_table_lookup (self->states, &layer_id);
  if (ls == NULL || ls->data == NULL)
    return FALSE;

  for (gsize i = 0; i < n_fids; i++)
    {
      guint index;
      GisExtent e;

      if (!gis_layer_data_find_fid (ls->data, fids[i], &index))
        continue;
      gis_layer_data_get_feature_extent (ls->data, index, &e);
      gis_extent_add_extent (out_map_extent, &e);
    }
  return !gis_extent_is_empty (out_map_extent);
}

/**
 * atalaya_map_controller_set_overlay:
 * @self: a controller
 * @wkb: (nullable) (element-type GBytes): geometries as little-endian 2D
 *   WKB, %NULL elements for none; %NULL to remove the overlay
 * @wkb_crs: (nullable): their CRS; %NULL for EPSG:4326
 *
 * Draws @wkb on top of every layer, in a highlight style, until it is
 * removed or the store changes.  The overlay is not saved anywhere.  It
 * is projected on a worker thread (and again after a change of display
 * CRS): [property@AtalayaMapController:overlay] tells when it is drawn.
 * Feature i of the overlay's data is element i of @wkb.
 */
void
atalaya_map_controller_set_overlay (AtalayaMapController *self,
                                    GPtrArray            *wkb,
                                    GisCrs               *wkb_crs)
{
  gboolean had;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  had = drop_overlay_data (self);
  g_clear_pointer (&self->overlay_wkb, g_ptr_array_unref);
  g_clear_pointer (&self->overlay_crs, gis_crs_unref);
  self->overlay_selected = -1;
  if (wkb != NULL)
    {
      self->overlay_wkb = g_ptr_array_ref (wkb);
      self->overlay_crs = wkb_crs != NULL ? gis_crs_ref (wkb_crs) : NULL;
      load_overlay (self);
    }
  else if (!any_loading (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  if (had)
    {
      queue_rebuild (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
    }
}

/**
 * atalaya_map_controller_get_overlay:
 *
 * Returns: (transfer none) (nullable): the overlay's data in the display
 *   CRS, once projected
 */
GisLayerData *
atalaya_map_controller_get_overlay (AtalayaMapController *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_CONTROLLER (self), NULL);

  return self->overlay_data;
}

/**
 * atalaya_map_controller_set_overlay_selected:
 * @self: a controller
 * @index: a feature of the overlay (an element of its WKB array), or -1
 *
 * Highlights one feature of the overlay as selected features are.
 */
void
atalaya_map_controller_set_overlay_selected (AtalayaMapController *self,
                                             gint64                index)
{
  GisRenderLayer *render;

  g_return_if_fail (ATALAYA_IS_MAP_CONTROLLER (self));

  if (index == self->overlay_selected)
    return;
  self->overlay_selected = MAX (index, -1);
  if (self->overlay_render == NULL)
    return;

  /* a render job may hold the render layer: change a copy */
  render = gis_render_layer_copy (self->overlay_render);
  if (index >= 0)
    gis_render_layer_set_selection (render, &index, 1);
  else
    gis_render_layer_set_selection (render, NULL, 0);
  gis_render_layer_unref (self->overlay_render);
  self->overlay_render = render;
  queue_rebuild (self);
}
