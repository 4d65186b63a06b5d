/* atalaya-time-bar.h: the date filter and its slider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  ATALAYA_TIME_STEP_MONTH,
  ATALAYA_TIME_STEP_YEAR,
} AtalayaTimeStep;

#define ATALAYA_TYPE_TIME_BAR (atalaya_time_bar_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaTimeBar, atalaya_time_bar, ATALAYA, TIME_BAR, GtkWidget)

GtkWidget       *atalaya_time_bar_new            (void);
void             atalaya_time_bar_set_data_range (AtalayaTimeBar  *self,
                                                  gint64           min_s,
                                                  gint64           max_s);
gboolean         atalaya_time_bar_get_filter     (AtalayaTimeBar  *self,
                                                  gint64          *from_s,
                                                  gint64          *to_s);
void             atalaya_time_bar_set_filtering  (AtalayaTimeBar  *self,
                                                  gboolean         filtering);
AtalayaTimeStep  atalaya_time_bar_get_step       (AtalayaTimeBar  *self);
void             atalaya_time_bar_set_step       (AtalayaTimeBar  *self,
                                                  AtalayaTimeStep  step);
guint            atalaya_time_bar_get_position   (AtalayaTimeBar  *self);
void             atalaya_time_bar_set_position   (AtalayaTimeBar  *self,
                                                  guint            position);
guint            atalaya_time_bar_get_n_positions (AtalayaTimeBar *self);
guint            atalaya_time_bar_get_span       (AtalayaTimeBar  *self);
void             atalaya_time_bar_set_span       (AtalayaTimeBar  *self,
                                                  guint            span);
void             atalaya_time_bar_step_forward   (AtalayaTimeBar  *self);
void             atalaya_time_bar_step_back      (AtalayaTimeBar  *self);
gboolean         atalaya_time_bar_get_playing    (AtalayaTimeBar  *self);
void             atalaya_time_bar_set_playing    (AtalayaTimeBar  *self,
                                                  gboolean         playing);

G_END_DECLS
