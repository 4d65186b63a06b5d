/* atalaya-time-bar.c: the date filter and its slider
 *
 * The data's dates are cut into months or years; the slider picks one of
 * those periods and every layer with a date shows only its features of
 * that period.  Play steps through the periods.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-time-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-time-bar.h"

#define PLAY_INTERVAL_MS 700

struct _AtalayaTimeBar
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkWidget       *box;
  GtkSwitch       *filter_switch;
  GtkButton       *back_button;
  GtkToggleButton *play_button;
  GtkButton       *forward_button;
  GtkScale        *scale;
  GtkAdjustment   *adjustment;
  GtkLabel        *period_label;
  GtkSpinButton   *span_spin;
  GtkAdjustment   *span_adjustment;
  GtkDropDown     *step_dropdown;

  /* Owned */
  gint64           min_s;
  gint64           max_s;
  AtalayaTimeStep  step;
  guint            position;
  guint            play_id;
  gboolean         updating;
};

G_DEFINE_FINAL_TYPE (AtalayaTimeBar, atalaya_time_bar, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- periods ------------------------------------------------------------- */

static GDateTime *
period_start (AtalayaTimeBar *self,
              guint           position)
{
  g_autoptr(GDateTime) first = g_date_time_new_from_unix_utc (self->min_s);
  int year = g_date_time_get_year (first);
  int month = self->step == ATALAYA_TIME_STEP_MONTH ? g_date_time_get_month (first) : 1;

  if (self->step == ATALAYA_TIME_STEP_MONTH)
    {
      int m = (month - 1) + (int) position;

      return g_date_time_new_utc (year + m / 12, m % 12 + 1, 1, 0, 0, 0);
    }
  return g_date_time_new_utc (year + (int) position, 1, 1, 0, 0, 0);
}

guint
atalaya_time_bar_get_n_positions (AtalayaTimeBar *self)
{
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) last = NULL;
  int months;

  g_return_val_if_fail (ATALAYA_IS_TIME_BAR (self), 0);

  if (self->max_s < self->min_s)
    return 0;

  first = g_date_time_new_from_unix_utc (self->min_s);
  last = g_date_time_new_from_unix_utc (self->max_s);
  if (self->step == ATALAYA_TIME_STEP_YEAR)
    return (guint) (g_date_time_get_year (last) - g_date_time_get_year (first) + 1);

  months = (g_date_time_get_year (last) - g_date_time_get_year (first)) * 12 +
           (g_date_time_get_month (last) - g_date_time_get_month (first));
  return (guint) months + 1;
}

static void
update_ui (AtalayaTimeBar *self)
{
  guint n = atalaya_time_bar_get_n_positions (self);
  gboolean filtering = gtk_switch_get_active (self->filter_switch);
  g_autofree char *text = NULL;

  self->updating = TRUE;
  gtk_adjustment_configure (self->adjustment, self->position, 0, MAX (n, 1) - 1, 1,
                            self->step == ATALAYA_TIME_STEP_MONTH ? 12 : 1, 0);
  gtk_drop_down_set_selected (self->step_dropdown, self->step);
  self->updating = FALSE;

  if (n > 0)
    {
      guint span = atalaya_time_bar_get_span (self);
      guint first = self->position + 1 >= span ? self->position + 1 - span : 0;
      g_autoptr(GDateTime) start = period_start (self, first);
      g_autoptr(GDateTime) last = period_start (self, self->position);
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      if (self->step == ATALAYA_TIME_STEP_MONTH)
        {
          /* Translators: a month of the time slider, strftime format */
          a = g_date_time_format (start, _("%B %Y"));
          b = g_date_time_format (last, _("%B %Y"));
        }
      else
        {
          a = g_date_time_format (start, "%Y");
          b = g_date_time_format (last, "%Y");
        }
      /* Translators: a range of months or years of the time slider */
      text = first == self->position ? g_strdup (a) : g_strdup_printf (_("%s – %s"), a, b);
    }
  else
    text = g_strdup (_("No dates"));
  gtk_label_set_text (self->period_label, text);

  gtk_widget_set_sensitive (GTK_WIDGET (self->filter_switch), n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), filtering && n > 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), filtering && self->position > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->forward_button), filtering && self->position + 1 < n);
  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), filtering && n > 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->step_dropdown), filtering);
  gtk_widget_set_sensitive (GTK_WIDGET (self->span_spin), filtering);
  gtk_widget_set_opacity (GTK_WIDGET (self->period_label), filtering ? 1.0 : 0.5);
}

static void
changed (AtalayaTimeBar *self)
{
  update_ui (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- playing ----------------------------------------------------------------- */

static gboolean
on_play_tick (gpointer user_data)
{
  AtalayaTimeBar *self = user_data;

  if (self->position + 1 >= atalaya_time_bar_get_n_positions (self))
    {
      self->play_id = 0;
      atalaya_time_bar_set_playing (self, FALSE);
      return G_SOURCE_REMOVE;
    }
  atalaya_time_bar_step_forward (self);
  return G_SOURCE_CONTINUE;
}

gboolean
atalaya_time_bar_get_playing (AtalayaTimeBar *self)
{
  g_return_val_if_fail (ATALAYA_IS_TIME_BAR (self), FALSE);
  return self->play_id != 0;
}

void
atalaya_time_bar_set_playing (AtalayaTimeBar *self,
                              gboolean        playing)
{
  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));

  if (playing && self->play_id == 0)
    {
      if (!gtk_switch_get_active (self->filter_switch))
        gtk_switch_set_active (self->filter_switch, TRUE);
      /* from the start when at the end */
      if (self->position + 1 >= atalaya_time_bar_get_n_positions (self))
        atalaya_time_bar_set_position (self, 0);
      self->play_id = g_timeout_add (PLAY_INTERVAL_MS, on_play_tick, self);
    }
  else if (!playing)
    g_clear_handle_id (&self->play_id, g_source_remove);

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->play_button, self->play_id != 0);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            self->play_id != 0 ? "media-playback-pause-symbolic"
                                               : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               self->play_id != 0 ? _("Pause") : _("Play"));
  self->updating = FALSE;
}

/* ---- callbacks --------------------------------------------------------------- */

static void
on_filter_switch_active (AtalayaTimeBar *self)
{
  if (!gtk_switch_get_active (self->filter_switch))
    atalaya_time_bar_set_playing (self, FALSE);
  changed (self);
}

static void
on_scale_value_changed (AtalayaTimeBar *self)
{
  guint position;

  if (self->updating)
    return;
  position = (guint) (gtk_adjustment_get_value (self->adjustment) + 0.5);
  if (position != self->position)
    {
      self->position = position;
      changed (self);
    }
}

static void
on_step_selected (AtalayaTimeBar *self)
{
  if (self->updating)
    return;
  atalaya_time_bar_set_step (self, gtk_drop_down_get_selected (self->step_dropdown));
}

static void
on_play_toggled (AtalayaTimeBar *self)
{
  if (self->updating)
    return;
  atalaya_time_bar_set_playing (self, gtk_toggle_button_get_active (self->play_button));
}

/* ---- object -------------------------------------------------------------------- */

static void
atalaya_time_bar_dispose (GObject *object)
{
  AtalayaTimeBar *self = (AtalayaTimeBar *) object;

  g_clear_handle_id (&self->play_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_TIME_BAR);

  G_OBJECT_CLASS (atalaya_time_bar_parent_class)->dispose (object);
}

static void
atalaya_time_bar_class_init (AtalayaTimeBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_time_bar_dispose;

  /**
   * AtalayaTimeBar::changed:
   *
   * The filter changed: on or off, the period, or the step.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-time-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, filter_switch);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, back_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, play_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, forward_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, scale);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, adjustment);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, period_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, step_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, span_spin);
  gtk_widget_class_bind_template_child (widget_class, AtalayaTimeBar, span_adjustment);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "timebar");
}

static void
atalaya_time_bar_init (AtalayaTimeBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->min_s = 0;
  self->max_s = -1;

  g_signal_connect_swapped (self->filter_switch, "notify::active",
                            G_CALLBACK (on_filter_switch_active), self);
  g_signal_connect_swapped (self->adjustment, "value-changed",
                            G_CALLBACK (on_scale_value_changed), self);
  g_signal_connect_swapped (self->step_dropdown, "notify::selected",
                            G_CALLBACK (on_step_selected), self);
  g_signal_connect_swapped (self->span_adjustment, "value-changed",
                            G_CALLBACK (changed), self);
  g_signal_connect_swapped (self->play_button, "toggled",
                            G_CALLBACK (on_play_toggled), self);
  g_signal_connect_swapped (self->back_button, "clicked",
                            G_CALLBACK (atalaya_time_bar_step_back), self);
  g_signal_connect_swapped (self->forward_button, "clicked",
                            G_CALLBACK (atalaya_time_bar_step_forward), self);
  update_ui (self);
}

/* ---- public API --------------------------------------------------------------- */

GtkWidget *
atalaya_time_bar_new (void)
{
  return g_object_new (ATALAYA_TYPE_TIME_BAR, NULL);
}

/**
 * atalaya_time_bar_set_data_range:
 * @self: a time bar
 * @min_s: the earliest date, seconds since the Unix epoch
 * @max_s: the latest date; below @min_s when there are no dates
 */
void
atalaya_time_bar_set_data_range (AtalayaTimeBar *self,
                                 gint64          min_s,
                                 gint64          max_s)
{
  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));

  self->min_s = min_s;
  self->max_s = max_s;
  if (max_s < min_s)
    {
      atalaya_time_bar_set_playing (self, FALSE);
      gtk_switch_set_active (self->filter_switch, FALSE);
    }
  self->position = MIN (self->position, MAX (atalaya_time_bar_get_n_positions (self), 1) - 1);
  changed (self);
}

/**
 * atalaya_time_bar_get_filter:
 * @self: a time bar
 * @from_s: (out): start of the range (inclusive), seconds since the epoch
 * @to_s: (out): end of the range (exclusive): the end of the chosen period;
 *   the range spans atalaya_time_bar_get_span() periods
 *
 * Returns: %TRUE if features should be filtered by date
 */
gboolean
atalaya_time_bar_get_filter (AtalayaTimeBar *self,
                             gint64         *from_s,
                             gint64         *to_s)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;

  g_return_val_if_fail (ATALAYA_IS_TIME_BAR (self), FALSE);

  if (!gtk_switch_get_active (self->filter_switch) || atalaya_time_bar_get_n_positions (self) == 0)
    return FALSE;

  {
    guint span = atalaya_time_bar_get_span (self);
    guint first = self->position + 1 >= span ? self->position + 1 - span : 0;

    start = period_start (self, first);
  }
  end = period_start (self, self->position + 1);
  *from_s = g_date_time_to_unix (start);
  *to_s = g_date_time_to_unix (end);
  return TRUE;
}

void
atalaya_time_bar_set_filtering (AtalayaTimeBar *self,
                                gboolean        filtering)
{
  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));
  gtk_switch_set_active (self->filter_switch, filtering);
}

AtalayaTimeStep
atalaya_time_bar_get_step (AtalayaTimeBar *self)
{
  g_return_val_if_fail (ATALAYA_IS_TIME_BAR (self), ATALAYA_TIME_STEP_MONTH);
  return self->step;
}

void
atalaya_time_bar_set_step (AtalayaTimeBar  *self,
                           AtalayaTimeStep  step)
{
  g_autoptr(GDateTime) start = NULL;

  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));

  if (self->step == step)
    return;

  /* keep the same moment in view: the month's year, or January of it */
  if (atalaya_time_bar_get_n_positions (self) > 0)
    start = period_start (self, self->position);
  self->step = step;
  if (start != NULL)
    {
      g_autoptr(GDateTime) first = g_date_time_new_from_unix_utc (self->min_s);
      int dy = g_date_time_get_year (start) - g_date_time_get_year (first);

      if (step == ATALAYA_TIME_STEP_YEAR)
        self->position = (guint) MAX (dy, 0);
      else
        self->position = (guint) MAX (dy * 12 - (g_date_time_get_month (first) - 1), 0);
    }
  changed (self);
}

guint
atalaya_time_bar_get_position (AtalayaTimeBar *self)
{
  g_return_val_if_fail (ATALAYA_IS_TIME_BAR (self), 0);
  return self->position;
}

void
atalaya_time_bar_set_position (AtalayaTimeBar *self,
                               guint           position)
{
  guint n;

  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));

  n = atalaya_time_bar_get_n_positions (self);
  if (n == 0)
    return;
  position = MIN (position, n - 1);
  if (position == self->position)
    return;
  self->position = position;
  changed (self);
}

void
atalaya_time_bar_step_forward (AtalayaTimeBar *self)
{
  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));
  atalaya_time_bar_set_position (self, self->position + 1);
}

void
atalaya_time_bar_step_back (AtalayaTimeBar *self)
{
  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));
  if (self->position > 0)
    atalaya_time_bar_set_position (self, self->position - 1);
}

/**
 * atalaya_time_bar_get_span:
 *
 * Returns: how many periods the filter shows together, ending with the
 *   chosen one
 */
guint
atalaya_time_bar_get_span (AtalayaTimeBar *self)
{
  g_return_val_if_fail (ATALAYA_IS_TIME_BAR (self), 1);
  return (guint) MAX (1.0, gtk_adjustment_get_value (self->span_adjustment));
}

void
atalaya_time_bar_set_span (AtalayaTimeBar *self,
                           guint           span)
{
  g_return_if_fail (ATALAYA_IS_TIME_BAR (self));
  gtk_adjustment_set_value (self->span_adjustment, MAX (span, 1));
}
