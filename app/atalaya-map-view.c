/* atalaya-map-view.c: the map canvas
 *
 * The widget/viewport split of libshumate: the widget owns a GisViewport
 * and turns gestures into exact viewport changes; images come from a
 * render function run on a worker thread.  The last image is drawn
 * translated and scaled to the current viewport at once, so a pan never
 * waits for a render: a new render starts when the view changes, a newer
 * one cancels an older one, and the finished image is swapped in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-map-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "atalaya-map-view.h"

#define ZOOM_STEP        1.5
#define WHEEL_ZOOM_STEP  1.25
#define KEY_PAN_PX       100.0
#define RENDER_DELAY_MS  40

struct _AtalayaMapView
{
  GtkWidget             parent_instance;

  /* Owned */
  GisViewport          *viewport;
  GObject              *scene;
  GdkTexture           *texture;
  cairo_surface_t      *surface;           /* the same pixels as texture */
  GisViewState          texture_state;     /* logical view it was drawn for */
  GCancellable         *render_cancellable;
  guint                 render_timeout;
  gboolean              render_running;
  gboolean              render_pending;

  /* Borrowed */
  AtalayaMapRenderFunc  render_func;
  gpointer              render_data;

  AtalayaMapTool        tool;

  /* gestures */
  double                drag_start_x, drag_start_y;
  double                drag_center_x, drag_center_y;
  gboolean              dragging;
  gboolean              selecting;
  double                select_x0, select_y0, select_x1, select_y1;
  gboolean              moving_point;
  double                pinch_resolution;
  double                pinch_center_map_x, pinch_center_map_y;
  double                pointer_x, pointer_y;
  gboolean              pointer_inside;

  /* the polygon (or point) being drawn, lon/lat pairs */
  GArray               *sketch;
  gboolean              sketch_done;

  /* marker overlay */
  gboolean              marker_visible;
  double                marker_lon, marker_lat;

  /* frame statistics during interaction */
  guint                 tick_id;
  gint64                last_frame_time;
  guint                 n_frames;
  double                max_frame_ms;
  double                max_main_ms;
};

G_DEFINE_FINAL_TYPE (AtalayaMapView, atalaya_map_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TOOL,
  PROP_RENDERING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CURSOR_MOVED,
  CLICKED,
  BOX_SELECTED,
  MOVE_BEGIN,
  MOVE_END,
  FILE_DROPPED,
  RENDERED,
  USER_MOVED,
  POLYGON_DRAWN,
  POINT_PICKED,
  DRAWING_CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_render (AtalayaMapView *self,
                             guint           delay_ms);

/* ---- timing ------------------------------------------------------------ */

static void
note_main_time (AtalayaMapView *self,
                gint64          start_us)
{
  double ms = (g_get_monotonic_time () - start_us) / 1000.0;

  self->max_main_ms = MAX (self->max_main_ms, ms);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  AtalayaMapView *self = ATALAYA_MAP_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (self->last_frame_time != 0)
    {
      self->n_frames++;
      self->max_frame_ms = MAX (self->max_frame_ms, (now - self->last_frame_time) / 1000.0);
    }
  self->last_frame_time = now;
  return G_SOURCE_CONTINUE;
}

static void
interaction_begin (AtalayaMapView *self)
{
  g_signal_emit (self, signals[USER_MOVED], 0);
  if (self->tick_id == 0)
    {
      self->last_frame_time = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
    }
}

static void
interaction_end (AtalayaMapView *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* ---- rendering ------------------------------------------------------------ */

typedef struct
{
  GisViewState          state;
  double                device_scale;
  GObject              *scene;
  AtalayaMapRenderFunc  func;
  gpointer              func_data;
} RenderJob;

static void
render_job_free (gpointer data)
{
  RenderJob *job = data;

  g_clear_object (&job->scene);
  g_free (job);
}

/* Renders yield to the main thread: on two processors a render at full
 * speed next to the X server left the interface waiting tens of
 * milliseconds for a processor.  Lowered once per worker thread. */
static void
lower_thread_priority (void)
{
  static GPrivate lowered;

  if (g_private_get (&lowered) == NULL)
    {
      setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  cairo_surface_t *surface;
  GBytes *bytes;
  GdkTexture *texture;
  int width, height, stride;

  lower_thread_priority ();
  surface = job->func (&job->state, job->device_scale, job->scene, cancellable, job->func_data);
  if (surface == NULL || g_cancellable_is_cancelled (cancellable))
    {
      g_clear_pointer (&surface, cairo_surface_destroy);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      return;
    }

  /* The texture wraps the pixels without a copy: GDK_MEMORY_DEFAULT is
   * cairo's premultiplied ARGB32 in native byte order. */
  cairo_surface_flush (surface);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * height,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  cairo_surface_reference (surface);   /* one for the texture's bytes, one kept */
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, bytes, (gsize) stride);
  g_bytes_unref (bytes);

  g_object_set_data_full (G_OBJECT (texture), "atalaya-surface", surface,
                          (GDestroyNotify) cairo_surface_destroy);
  g_task_return_pointer (task, texture, g_object_unref);
}

static void start_render (AtalayaMapView *self);

static void
render_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AtalayaMapView *self = ATALAYA_MAP_VIEW (object);
  RenderJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 start = g_get_monotonic_time ();

  texture = g_task_propagate_pointer (G_TASK (result), &error);
  self->render_running = FALSE;

  if (texture != NULL)
    {
      g_set_object (&self->texture, texture);
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      self->surface = cairo_surface_reference (g_object_get_data (G_OBJECT (texture), "atalaya-surface"));
      self->texture_state = job->state;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }

  if (self->render_pending)
    {
      self->render_pending = FALSE;
      start_render (self);
    }
  else
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RENDERING]);
      if (texture != NULL)
        g_signal_emit (self, signals[RENDERED], 0);
    }

  note_main_time (self, start);
}

static void
start_render (AtalayaMapView *self)
{
  g_autoptr(GTask) task = NULL;
  RenderJob *job;
  gboolean was_running = self->render_running;

  if (self->render_func == NULL || !gtk_widget_get_realized (GTK_WIDGET (self)))
    return;

  if (self->render_running)
    {
      /* A newer view: start it once the running job has stopped.  Outside
       * a gesture the stale job is dropped; during one it finishes, or a
       * steady drag would cancel every render and show none. */
      if (self->tick_id == 0 && !self->dragging)
        g_cancellable_cancel (self->render_cancellable);
      self->render_pending = TRUE;
      return;
    }

  g_clear_object (&self->render_cancellable);
  self->render_cancellable = g_cancellable_new ();

  job = g_new0 (RenderJob, 1);
  gis_viewport_get_state (self->viewport, &job->state);
  job->device_scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  job->scene = self->scene != NULL ? g_object_ref (self->scene) : NULL;
  job->func = self->render_func;
  job->func_data = self->render_data;

  task = g_task_new (self, self->render_cancellable, render_cb, NULL);
  g_task_set_source_tag (task, start_render);
  g_task_set_task_data (task, job, render_job_free);
  g_task_run_in_thread (task, render_thread);
  self->render_running = TRUE;

  if (!was_running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RENDERING]);
}

static gboolean
on_render_timeout (gpointer user_data)
{
  AtalayaMapView *self = user_data;

  self->render_timeout = 0;
  start_render (self);
  return G_SOURCE_REMOVE;
}

/* Renders now, or after @delay_ms.  A delayed render already pending is
 * kept, not pushed back: during a long drag the map keeps getting fresh
 * images every @delay_ms instead of only when the hand stops. */
static void
schedule_render (AtalayaMapView *self,
                 guint           delay_ms)
{
  if (delay_ms == 0)
    {
      g_clear_handle_id (&self->render_timeout, g_source_remove);
      start_render (self);
    }
  else if (self->render_timeout == 0)
    self->render_timeout = g_timeout_add (delay_ms, on_render_timeout, self);
}

static void
on_viewport_changed (GisViewport    *viewport,
                     AtalayaMapView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  /* during a gesture, render a little after the view settles */
  schedule_render (self, self->dragging || self->tick_id != 0 ? RENDER_DELAY_MS : 0);
}

/* ---- drawing ---------------------------------------------------------------- */

static double
nice_length (double max_m)
{
  double p = pow (10, floor (log10 (max_m)));

  if (5 * p <= max_m)
    return 5 * p;
  if (2 * p <= max_m)
    return 2 * p;
  return p;
}

static void
draw_scale_bar (AtalayaMapView *self,
                GtkSnapshot    *snapshot,
                int             height)
{
  double mpp = gis_viewport_get_meters_per_pixel (self->viewport);
  double length_m, length_px;
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  cairo_t *cr;
  double x = 12, y = height - 14;

  if (!(mpp > 0) || !isfinite (mpp))
    return;

  length_m = nice_length (150 * mpp);
  length_px = length_m / mpp;
  if (length_m >= 1000)
    /* Translators: a length on the scale bar, in kilometres */
    text = g_strdup_printf (_("%g km"), length_m / 1000);
  else
    /* Translators: a length on the scale bar, in metres */
    text = g_strdup_printf (_("%g m"), length_m);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, y - 24, x + length_px + 80, 30));
  cairo_set_line_width (cr, 4);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
  cairo_move_to (cr, x, y - 6);
  cairo_line_to (cr, x, y);
  cairo_line_to (cr, x + length_px, y);
  cairo_line_to (cr, x + length_px, y - 6);
  cairo_stroke (cr);
  cairo_set_line_width (cr, 1.5);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_move_to (cr, x, y - 6);
  cairo_line_to (cr, x, y);
  cairo_line_to (cr, x + length_px, y);
  cairo_line_to (cr, x + length_px, y - 6);
  cairo_stroke (cr);

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  cairo_move_to (cr, x + length_px + 6, y - 14);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
  pango_cairo_layout_path (cr, layout);
  cairo_set_line_width (cr, 3);
  cairo_stroke (cr);
  cairo_move_to (cr, x + length_px + 6, y - 14);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
}

/* The polygon being drawn, with a rubber band from its last vertex to
 * the pointer; once closed, filled; a picked point as a dot. */
static void
draw_sketch (AtalayaMapView *self,
             GtkSnapshot    *snapshot,
             int             width,
             int             height)
{
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  guint n = self->sketch->len / 2;
  const double *v = (const double *) (gpointer) self->sketch->data;
  gboolean point = self->tool == ATALAYA_MAP_TOOL_PICK_POINT || (self->sketch_done && n == 1);

  for (guint i = 0; i < n; i++)
    {
      double px, py;

      if (!gis_viewport_lonlat_to_pixel (self->viewport, v[2 * i], v[2 * i + 1], &px, &py))
        continue;
      if (i == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
    }
  if (!self->sketch_done && self->pointer_inside && self->tool == ATALAYA_MAP_TOOL_DRAW_POLYGON)
    cairo_line_to (cr, self->pointer_x, self->pointer_y);
  if (self->sketch_done || n > 1)
    cairo_close_path (cr);
  cairo_set_source_rgba (cr, 0.90, 0.38, 0.0, self->sketch_done ? 0.18 : 0.10);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 2);
  cairo_set_source_rgba (cr, 0.90, 0.38, 0.0, 0.95);
  cairo_stroke (cr);

  for (guint i = 0; i < n; i++)
    {
      double px, py;

      if (!gis_viewport_lonlat_to_pixel (self->viewport, v[2 * i], v[2 * i + 1], &px, &py))
        continue;
      if (point)
        cairo_arc (cr, px, py, 6, 0, 2 * G_PI);
      else
        cairo_rectangle (cr, px - 3.5, py - 3.5, 7, 7);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      cairo_set_source_rgb (cr, 0.90, 0.38, 0.0);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

static gboolean
uses_cairo_renderer (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  return renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
}

static void
atalaya_map_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  AtalayaMapView *self = ATALAYA_MAP_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gint64 start = g_get_monotonic_time ();
  GisViewState now;

  gis_viewport_get_state (self->viewport, &now);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->texture != NULL)
    {
      const GisViewState *old = &self->texture_state;
      double mx0, my0, mx1, my1, x0, y0, x1, y1;

      /* where the image's corners are in the view as it is now */
      gis_view_state_pixel_to_map (old, 0, 0, &mx0, &my0);
      gis_view_state_pixel_to_map (old, old->width_px, old->height_px, &mx1, &my1);
      gis_view_state_map_to_pixel (&now, mx0, my0, &x0, &y0);
      gis_view_state_map_to_pixel (&now, mx1, my1, &x1, &y1);

      if (uses_cairo_renderer (widget))
        {
          /* GTK 4.8's cairo renderer converts a texture pixel by pixel on
           * every frame (tens of ms for a full-screen map); painting the
           * cairo surface itself is a plain, fast pixman blit */
          cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
          double sx = (x1 - x0) / cairo_image_surface_get_width (self->surface);
          double sy = (y1 - y0) / cairo_image_surface_get_height (self->surface);

          cairo_translate (cr, x0, y0);
          cairo_scale (cr, sx, sy);
          cairo_set_source_surface (cr, self->surface, 0, 0);
          cairo_pattern_set_filter (cairo_get_source (cr),
                                    fabs (sx - 1) < 1e-9 && fabs (sy - 1) < 1e-9
                                    ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_BILINEAR);
          cairo_paint (cr);
          cairo_destroy (cr);
        }
      else
        gtk_snapshot_append_texture (snapshot, self->texture,
                                     &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0));
    }

  if (self->marker_visible)
    {
      double px, py;

      if (gis_viewport_lonlat_to_pixel (self->viewport, self->marker_lon, self->marker_lat, &px, &py))
        {
          cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                                   &GRAPHENE_RECT_INIT (px - 12, py - 12, 24, 24));

          cairo_arc (cr, px, py, 7, 0, 2 * G_PI);
          cairo_set_source_rgba (cr, 1.0, 0.82, 0.0, 0.9);
          cairo_fill_preserve (cr);
          cairo_set_line_width (cr, 2);
          cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
          cairo_stroke (cr);
          cairo_destroy (cr);
        }
    }

  if (self->sketch->len > 0)
    draw_sketch (self, snapshot, width, height);

  if (self->selecting)
    {
      double x = MIN (self->select_x0, self->select_x1);
      double y = MIN (self->select_y0, self->select_y1);
      double w = fabs (self->select_x1 - self->select_x0);
      double h = fabs (self->select_y1 - self->select_y0);
      GdkRGBA fill = { 0.21, 0.52, 0.89, 0.15 };
      GdkRGBA edge = { 0.21, 0.52, 0.89, 0.9 };
      GskRoundedRect rect;
      float widths[4] = { 1, 1, 1, 1 };
      GdkRGBA colors[4] = { edge, edge, edge, edge };

      gtk_snapshot_append_color (snapshot, &fill, &GRAPHENE_RECT_INIT (x, y, w, h));
      gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), 0);
      gtk_snapshot_append_border (snapshot, &rect, widths, colors);
    }

  draw_scale_bar (self, snapshot, height);

  gtk_snapshot_pop (snapshot);
  note_main_time (self, start);
}

static void
atalaya_map_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  AtalayaMapView *self = ATALAYA_MAP_VIEW (widget);

  gis_viewport_set_size (self->viewport, width, height);
}

static void
atalaya_map_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  *minimum = 64;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 600;
}

static void
atalaya_map_view_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (atalaya_map_view_parent_class)->realize (widget);
  schedule_render (ATALAYA_MAP_VIEW (widget), 0);
}

/* ---- gestures ------------------------------------------------------------------ */

static void
emit_cursor (AtalayaMapView *self,
             double          x,
             double          y)
{
  double lon = 0, lat = 0;
  gboolean valid = gis_viewport_pixel_to_lonlat (self->viewport, x, y, &lon, &lat);

  g_signal_emit (self, signals[CURSOR_MOVED], 0, lon, lat, valid);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           AtalayaMapView           *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  emit_cursor (self, x, y);
  if (self->tool == ATALAYA_MAP_TOOL_DRAW_POLYGON && self->sketch->len > 0 && !self->sketch_done)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller,
          AtalayaMapView           *self)
{
  self->pointer_inside = FALSE;
  g_signal_emit (self, signals[CURSOR_MOVED], 0, 0.0, 0.0, FALSE);
}

/* ---- drawing a polygon, picking a point ----------------------------------------- */

static void
sketch_clear (AtalayaMapView *self)
{
  g_array_set_size (self->sketch, 0);
  self->sketch_done = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Closes the polygon: at least three vertices, in lon/lat. */
static gboolean
sketch_finish (AtalayaMapView *self)
{
  g_autoptr(GString) wkt = NULL;
  guint n = self->sketch->len / 2;
  const double *v = (const double *) (gpointer) self->sketch->data;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (self->sketch_done || n < 3)
    return FALSE;
  wkt = g_string_new ("POLYGON((");
  for (guint i = 0; i <= n; i++)
    {
      guint k = i % n;

      if (i > 0)
        g_string_append (wkt, ", ");
      g_string_append (wkt, g_ascii_formatd (buf, sizeof buf, "%.10g", v[2 * k]));
      g_string_append_c (wkt, ' ');
      g_string_append (wkt, g_ascii_formatd (buf, sizeof buf, "%.10g", v[2 * k + 1]));
    }
  g_string_append (wkt, "))");
  self->sketch_done = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  atalaya_map_view_set_tool (self, ATALAYA_MAP_TOOL_PAN);
  g_signal_emit (self, signals[POLYGON_DRAWN], 0, wkt->str);
  return TRUE;
}

static void
sketch_cancel (AtalayaMapView *self)
{
  sketch_clear (self);
  g_signal_emit (self, signals[DRAWING_CANCELLED], 0);
}

/* A click of the drawing tools; FALSE when the tool is another. */
static gboolean
sketch_click (AtalayaMapView *self,
              int             n_press,
              double          lon,
              double          lat)
{
  if (self->tool == ATALAYA_MAP_TOOL_DRAW_POLYGON)
    {
      /* the first click of a double click added the last vertex */
      if (n_press >= 2)
        {
          sketch_finish (self);
          return TRUE;
        }
      if (self->sketch_done)
        sketch_clear (self);
      g_array_append_val (self->sketch, lon);
      g_array_append_val (self->sketch, lat);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    }
  if (self->tool == ATALAYA_MAP_TOOL_PICK_POINT)
    {
      char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *wkt = NULL;

      if (n_press != 1)
        return TRUE;
      sketch_clear (self);
      g_array_append_val (self->sketch, lon);
      g_array_append_val (self->sketch, lat);
      self->sketch_done = TRUE;
      wkt = g_strdup_printf ("POINT(%s %s)", g_ascii_formatd (x, sizeof x, "%.10g", lon),
                             g_ascii_formatd (y, sizeof y, "%.10g", lat));
      atalaya_map_view_set_tool (self, ATALAYA_MAP_TOOL_PAN);
      g_signal_emit (self, signals[POINT_PICKED], 0, wkt);
      return TRUE;
    }
  return FALSE;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               AtalayaMapView *self)
{
  self->drag_start_x = x;
  self->drag_start_y = y;
  gis_viewport_get_center (self->viewport, &self->drag_center_x, &self->drag_center_y);
  gtk_widget_grab_focus (GTK_WIDGET (self));

  if (self->tool == ATALAYA_MAP_TOOL_MOVE_POINT)
    {
      double lon, lat;
      gboolean handled = FALSE;

      if (gis_viewport_pixel_to_lonlat (self->viewport, x, y, &lon, &lat))
        g_signal_emit (self, signals[MOVE_BEGIN], 0, lon, lat, &handled);
      self->moving_point = handled;
      if (handled)
        return;
    }

  if (self->tool == ATALAYA_MAP_TOOL_SELECT)
    {
      self->select_x0 = self->select_x1 = x;
      self->select_y0 = self->select_y1 = y;
      return;
    }

  self->dragging = FALSE;
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                AtalayaMapView *self)
{
  gint64 start = g_get_monotonic_time ();

  if (self->moving_point)
    {
      double lon, lat;

      if (gis_viewport_pixel_to_lonlat (self->viewport, self->drag_start_x + offset_x,
                                        self->drag_start_y + offset_y, &lon, &lat))
        atalaya_map_view_set_marker (self, TRUE, lon, lat);
      return;
    }

  if (self->tool == ATALAYA_MAP_TOOL_SELECT)
    {
      self->selecting = TRUE;
      self->select_x1 = self->drag_start_x + offset_x;
      self->select_y1 = self->drag_start_y + offset_y;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  if (!self->dragging && (fabs (offset_x) > 0 || fabs (offset_y) > 0))
    {
      self->dragging = TRUE;
      interaction_begin (self);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
    }

  /* exact: the map point under the press stays under the pointer */
  gis_viewport_set_center (self->viewport,
                           self->drag_center_x - offset_x * gis_viewport_get_resolution (self->viewport),
                           self->drag_center_y + offset_y * gis_viewport_get_resolution (self->viewport));
  note_main_time (self, start);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             AtalayaMapView *self)
{
  if (self->moving_point)
    {
      double lon, lat;

      self->moving_point = FALSE;
      if (gis_viewport_pixel_to_lonlat (self->viewport, self->drag_start_x + offset_x,
                                        self->drag_start_y + offset_y, &lon, &lat))
        g_signal_emit (self, signals[MOVE_END], 0, lon, lat);
      atalaya_map_view_set_marker (self, FALSE, 0, 0);
      return;
    }

  if (self->selecting)
    {
      double mx0, my0, mx1, my1;
      GisExtent box;

      self->selecting = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      gis_viewport_pixel_to_map (self->viewport, self->select_x0, self->select_y0, &mx0, &my0);
      gis_viewport_pixel_to_map (self->viewport, self->select_x1, self->select_y1, &mx1, &my1);
      gis_extent_init_empty (&box);
      gis_extent_add_point (&box, mx0, my0);
      gis_extent_add_point (&box, mx1, my1);
      g_signal_emit (self, signals[BOX_SELECTED], 0, &box);
      return;
    }

  if (self->dragging)
    {
      self->dragging = FALSE;
      interaction_end (self);
      gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
      schedule_render (self, 0);
    }
}

static void
on_click_released (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   AtalayaMapView  *self)
{
  double lon, lat;
  GdkModifierType state;

  /* a drag is not a click */
  if (fabs (x - self->drag_start_x) > 3 || fabs (y - self->drag_start_y) > 3)
    return;
  if (!gis_viewport_pixel_to_lonlat (self->viewport, x, y, &lon, &lat))
    return;
  if (sketch_click (self, n_press, lon, lat))
    return;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  g_signal_emit (self, signals[CLICKED], 0, lon, lat, x, y, n_press, (guint) state);
}

static void
on_click_pressed (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  AtalayaMapView  *self)
{
  self->drag_start_x = x;
  self->drag_start_y = y;
  gtk_widget_grab_focus (GTK_WIDGET (self));

  /* a double click zooms in there, as in every map */
  if (n_press == 2 && self->tool == ATALAYA_MAP_TOOL_PAN)
    gis_viewport_zoom_at (self->viewport, 2.0, x, y);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           AtalayaMapView           *self)
{
  double x = self->pointer_inside ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = self->pointer_inside ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  gint64 start = g_get_monotonic_time ();

  if (dy == 0)
    return FALSE;

  interaction_begin (self);
  /* wheel clicks are ±1; smooth scrolling gives fractions */
  gis_viewport_zoom_at (self->viewport, pow (WHEEL_ZOOM_STEP, -dy), x, y);
  note_main_time (self, start);
  return TRUE;
}

static void
on_scroll_end (GtkEventControllerScroll *controller,
               AtalayaMapView           *self)
{
  interaction_end (self);
}

static void
on_zoom_begin (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               AtalayaMapView   *self)
{
  double x, y;

  self->pinch_resolution = gis_viewport_get_resolution (self->viewport);
  gtk_gesture_get_bounding_box_center (gesture, &x, &y);
  gis_viewport_pixel_to_map (self->viewport, x, y, &self->pinch_center_map_x, &self->pinch_center_map_y);
  interaction_begin (self);
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture,
                       double          scale,
                       AtalayaMapView *self)
{
  double x, y, r;

  if (!(scale > 0))
    return;
  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y);
  r = self->pinch_resolution / scale;
  gis_viewport_set_resolution (self->viewport, r);
  r = gis_viewport_get_resolution (self->viewport);
  /* keep the pinched place under the fingers */
  gis_viewport_set_center (self->viewport,
                           self->pinch_center_map_x - (x - gis_viewport_get_width (self->viewport) / 2.0) * r,
                           self->pinch_center_map_y + (y - gis_viewport_get_height (self->viewport) / 2.0) * r);
}

static void
on_zoom_end (GtkGesture       *gesture,
             GdkEventSequence *sequence,
             AtalayaMapView   *self)
{
  interaction_end (self);
  schedule_render (self, 0);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                AtalayaMapView        *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      g_signal_emit (self, signals[USER_MOVED], 0);
      gis_viewport_pan_pixels (self->viewport, KEY_PAN_PX, 0);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      g_signal_emit (self, signals[USER_MOVED], 0);
      gis_viewport_pan_pixels (self->viewport, -KEY_PAN_PX, 0);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      g_signal_emit (self, signals[USER_MOVED], 0);
      gis_viewport_pan_pixels (self->viewport, 0, KEY_PAN_PX);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      g_signal_emit (self, signals[USER_MOVED], 0);
      gis_viewport_pan_pixels (self->viewport, 0, -KEY_PAN_PX);
      return TRUE;
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      atalaya_map_view_zoom_in (self);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      atalaya_map_view_zoom_out (self);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      return self->tool == ATALAYA_MAP_TOOL_DRAW_POLYGON && sketch_finish (self);
    case GDK_KEY_BackSpace:
      if (self->tool != ATALAYA_MAP_TOOL_DRAW_POLYGON || self->sketch_done || self->sketch->len == 0)
        return FALSE;
      g_array_set_size (self->sketch, self->sketch->len - 2);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    case GDK_KEY_Escape:
      if (self->tool != ATALAYA_MAP_TOOL_PAN)
        {
          atalaya_map_view_set_tool (self, ATALAYA_MAP_TOOL_PAN);
          return TRUE;
        }
      return FALSE;
    default:
      return FALSE;
    }
}

static gboolean
on_drop (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         AtalayaMapView *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    g_signal_emit (self, signals[FILE_DROPPED], 0, l->data);
  g_slist_free (files);
  return files != NULL;
}

/* ---- object ---------------------------------------------------------------------- */

static void
atalaya_map_view_dispose (GObject *object)
{
  AtalayaMapView *self = (AtalayaMapView *) object;

  g_clear_handle_id (&self->render_timeout, g_source_remove);
  if (self->render_cancellable != NULL)
    g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_clear_object (&self->viewport);
  g_clear_object (&self->scene);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->surface, cairo_surface_destroy);

  G_OBJECT_CLASS (atalaya_map_view_parent_class)->dispose (object);
}

static void
atalaya_map_view_finalize (GObject *object)
{
  AtalayaMapView *self = (AtalayaMapView *) object;

  g_clear_pointer (&self->sketch, g_array_unref);

  G_OBJECT_CLASS (atalaya_map_view_parent_class)->finalize (object);
}

static void
atalaya_map_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AtalayaMapView *self = ATALAYA_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_TOOL:
      g_value_set_int (value, self->tool);
      break;
    case PROP_RENDERING:
      g_value_set_boolean (value, self->render_running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_map_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  AtalayaMapView *self = ATALAYA_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_TOOL:
      atalaya_map_view_set_tool (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_map_view_class_init (AtalayaMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_map_view_dispose;
  object_class->finalize = atalaya_map_view_finalize;
  object_class->get_property = atalaya_map_view_get_property;
  object_class->set_property = atalaya_map_view_set_property;

  widget_class->snapshot = atalaya_map_view_snapshot;
  widget_class->size_allocate = atalaya_map_view_size_allocate;
  widget_class->measure = atalaya_map_view_measure;
  widget_class->realize = atalaya_map_view_realize;

  properties[PROP_TOOL] =
    g_param_spec_int ("tool", NULL, NULL,
                      ATALAYA_MAP_TOOL_PAN, ATALAYA_MAP_TOOL_PICK_POINT, ATALAYA_MAP_TOOL_PAN,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RENDERING] =
    g_param_spec_boolean ("rendering", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaMapView::cursor-moved:
   * @lon: longitude under the pointer
   * @lat: latitude under the pointer
   * @valid: %FALSE when the pointer left, or is off the earth
   */
  signals[CURSOR_MOVED] =
    g_signal_new ("cursor-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_BOOLEAN);

  /**
   * AtalayaMapView::clicked:
   * @lon: longitude clicked
   * @lat: latitude clicked
   * @x: pixel x
   * @y: pixel y
   * @n_press: 1 for a click, 2 for a double click
   * @modifiers: GdkModifierType held
   */
  signals[CLICKED] =
    g_signal_new ("clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 6,
                  G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE,
                  G_TYPE_INT, G_TYPE_UINT);

  /**
   * AtalayaMapView::box-selected:
   * @box: (type GisExtent): the dragged rectangle in map units of the
   *   display CRS
   */
  signals[BOX_SELECTED] =
    g_signal_new ("box-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, GIS_TYPE_EXTENT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * AtalayaMapView::move-begin:
   *
   * With the move tool, a drag starts at (@lon, @lat).  A handler returns
   * %TRUE when there is a point to move there; otherwise the drag pans.
   */
  signals[MOVE_BEGIN] =
    g_signal_new ("move-begin", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  signals[MOVE_END] =
    g_signal_new ("move-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  /**
   * AtalayaMapView::file-dropped:
   * @file: a file dropped on the map, to import
   */
  signals[FILE_DROPPED] =
    g_signal_new ("file-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_FILE);

  /**
   * AtalayaMapView::rendered:
   *
   * A new image is on screen and no render is pending.
   */
  signals[RENDERED] =
    g_signal_new ("rendered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * AtalayaMapView::user-moved:
   *
   * The user panned or zoomed the map.
   */
  signals[USER_MOVED] =
    g_signal_new ("user-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * AtalayaMapView::polygon-drawn:
   * @wkt: the polygon drawn with the draw-polygon tool, in WKT, lon/lat
   *
   * The polygon stays on the map until atalaya_map_view_clear_sketch()
   * or the next drawing.
   */
  signals[POLYGON_DRAWN] =
    g_signal_new ("polygon-drawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * AtalayaMapView::point-picked:
   * @wkt: the point clicked with the pick-point tool, in WKT, lon/lat
   */
  signals[POINT_PICKED] =
    g_signal_new ("point-picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * AtalayaMapView::drawing-cancelled:
   *
   * Escape, or another tool, ended a drawing before it was done.
   */
  signals[DRAWING_CANCELLED] =
    g_signal_new ("drawing-cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "mapview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
atalaya_map_view_init (AtalayaMapView *self)
{
  g_autoptr(GisCrs) crs = gis_crs_new_analysis ();
  GtkEventController *controller;
  GtkGesture *gesture;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  self->sketch = g_array_new (FALSE, FALSE, sizeof (double));
  self->viewport = gis_viewport_new (crs);
  g_signal_connect (self->viewport, "changed", G_CALLBACK (on_viewport_changed), self);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_click_pressed), self);
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  g_signal_connect (controller, "scroll-end", G_CALLBACK (on_scroll_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  g_signal_connect (gesture, "end", G_CALLBACK (on_zoom_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  {
    GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

    g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
  }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Map"),
                                  -1);
}

/* ---- public API ------------------------------------------------------------------ */

GtkWidget *
atalaya_map_view_new (void)
{
  return g_object_new (ATALAYA_TYPE_MAP_VIEW, NULL);
}

/**
 * atalaya_map_view_get_viewport:
 *
 * Returns: (transfer none): the view's viewport
 */
GisViewport *
atalaya_map_view_get_viewport (AtalayaMapView *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (self), NULL);
  return self->viewport;
}

/**
 * atalaya_map_view_set_render_func:
 * @self: a map view
 * @func: (scope notified): draws images on a worker thread
 * @user_data: closure; must stay valid while the view lives
 */
void
atalaya_map_view_set_render_func (AtalayaMapView       *self,
                                  AtalayaMapRenderFunc  func,
                                  gpointer              user_data)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));

  self->render_func = func;
  self->render_data = user_data;
  schedule_render (self, 0);
}

/**
 * atalaya_map_view_set_scene:
 * @self: a map view
 * @scene: (nullable): what to draw; passed to the render function,
 *   which must only read it (it crosses threads)
 */
void
atalaya_map_view_set_scene (AtalayaMapView *self,
                            GObject        *scene)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));

  g_set_object (&self->scene, scene);
  schedule_render (self, 0);
}

void
atalaya_map_view_queue_render (AtalayaMapView *self)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));
  schedule_render (self, 0);
}

gboolean
atalaya_map_view_is_rendering (AtalayaMapView *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (self), FALSE);
  return self->render_running || self->render_timeout != 0;
}

/**
 * atalaya_map_view_get_texture:
 *
 * Returns: (transfer none) (nullable): the last rendered image
 */
GdkTexture *
atalaya_map_view_get_texture (AtalayaMapView *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (self), NULL);
  return self->texture;
}

AtalayaMapTool
atalaya_map_view_get_tool (AtalayaMapView *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (self), ATALAYA_MAP_TOOL_PAN);
  return self->tool;
}

void
atalaya_map_view_set_tool (AtalayaMapView *self,
                           AtalayaMapTool  tool)
{
  static const char *const cursors[] = { NULL, "crosshair", "copy", "move", "crosshair", "crosshair" };
  AtalayaMapTool old;

  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));
  g_return_if_fail (tool <= ATALAYA_MAP_TOOL_PICK_POINT);

  if (self->tool == tool)
    return;
  old = self->tool;
  self->tool = tool;
  /* a drawing left unfinished is dropped */
  if ((old == ATALAYA_MAP_TOOL_DRAW_POLYGON || old == ATALAYA_MAP_TOOL_PICK_POINT) && !self->sketch_done)
    sketch_cancel (self);
  else if (tool == ATALAYA_MAP_TOOL_DRAW_POLYGON || tool == ATALAYA_MAP_TOOL_PICK_POINT)
    sketch_clear (self);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursors[tool]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

void
atalaya_map_view_zoom_in (AtalayaMapView *self)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));
  g_signal_emit (self, signals[USER_MOVED], 0);
  gis_viewport_zoom_at (self->viewport, ZOOM_STEP,
                        gis_viewport_get_width (self->viewport) / 2.0,
                        gis_viewport_get_height (self->viewport) / 2.0);
}

void
atalaya_map_view_zoom_out (AtalayaMapView *self)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));
  g_signal_emit (self, signals[USER_MOVED], 0);
  gis_viewport_zoom_at (self->viewport, 1.0 / ZOOM_STEP,
                        gis_viewport_get_width (self->viewport) / 2.0,
                        gis_viewport_get_height (self->viewport) / 2.0);
}

/**
 * atalaya_map_view_zoom_to_lonlat:
 * @self: a map view
 * @lonlat_extent: a box in longitude, latitude
 *
 * Returns: %FALSE if the box cannot be shown in the display CRS
 */
gboolean
atalaya_map_view_zoom_to_lonlat (AtalayaMapView  *self,
                                 const GisExtent *lonlat_extent)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (self), FALSE);
  return gis_viewport_fit_lonlat (self->viewport, lonlat_extent, 24);
}

/**
 * atalaya_map_view_set_marker:
 *
 * Shows (or hides) a highlighted point, e.g. while a point is moved.
 */
void
atalaya_map_view_set_marker (AtalayaMapView *self,
                             gboolean        visible,
                             double          lon,
                             double          lat)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));

  self->marker_visible = visible;
  self->marker_lon = lon;
  self->marker_lat = lat;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * atalaya_map_view_get_frame_stats:
 * @n_frames: (out): frames drawn during interactions
 * @max_frame_ms: (out): the longest interval between two of those frames
 * @max_main_thread_ms: (out): the longest the view kept the main thread
 *   in one go (snapshot, gesture handling, taking a finished image)
 */
void
atalaya_map_view_get_frame_stats (AtalayaMapView *self,
                                  guint          *n_frames,
                                  double         *max_frame_ms,
                                  double         *max_main_thread_ms)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));

  *n_frames = self->n_frames;
  *max_frame_ms = self->max_frame_ms;
  *max_main_thread_ms = self->max_main_ms;
}

void
atalaya_map_view_reset_frame_stats (AtalayaMapView *self)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));

  self->n_frames = 0;
  self->max_frame_ms = 0;
  self->max_main_ms = 0;
}

/**
 * atalaya_map_view_clear_sketch:
 *
 * Removes the polygon or point drawn with the drawing tools from the map.
 */
void
atalaya_map_view_clear_sketch (AtalayaMapView *self)
{
  g_return_if_fail (ATALAYA_IS_MAP_VIEW (self));

  sketch_clear (self);
}

/**
 * atalaya_map_view_get_n_sketch_vertices:
 *
 * Returns: the vertices of the polygon being drawn (or drawn)
 */
guint
atalaya_map_view_get_n_sketch_vertices (AtalayaMapView *self)
{
  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (self), 0);

  return self->sketch->len / 2;
}
