/* test-time-bar.c: the date filter gives the range it shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-time-bar"

#include "config.h"

#include "gui-util.h"
#include "atalaya-time-bar.h"

static gint64
utc (int y,
     int m,
     int d)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (y, m, d, 0, 0, 0);

  return g_date_time_to_unix (dt);
}

static void
test_months_and_years (void)
{
  GtkWidget *window = gtk_window_new ();
  AtalayaTimeBar *bar = ATALAYA_TIME_BAR (atalaya_time_bar_new ());
  gint64 from, to;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (bar));
  /* 2015-03-10 .. 2025-12-31 */
  atalaya_time_bar_set_data_range (bar, utc (2015, 3, 10), utc (2025, 12, 31) + 3600);

  /* off until asked */
  g_assert_false (atalaya_time_bar_get_filter (bar, &from, &to));
  atalaya_time_bar_set_filtering (bar, TRUE);

  /* months: March 2015 .. December 2025 */
  g_assert_cmpuint (atalaya_time_bar_get_n_positions (bar), ==, 10 * 12 + 10);
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2015, 3, 1));
  g_assert_cmpint (to, ==, utc (2015, 4, 1));

  atalaya_time_bar_set_position (bar, 10);       /* January 2016 */
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2016, 1, 1));
  g_assert_cmpint (to, ==, utc (2016, 2, 1));
  atalaya_time_bar_step_forward (bar);
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2016, 2, 1));
  g_assert_cmpint (to, ==, utc (2016, 3, 1));   /* a leap February ends on the 29th */

  /* three months ending with the chosen one */
  atalaya_time_bar_set_span (bar, 3);
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2015, 12, 1));
  g_assert_cmpint (to, ==, utc (2016, 3, 1));
  atalaya_time_bar_set_span (bar, 1);

  /* years keep the year of the month shown */
  atalaya_time_bar_set_step (bar, ATALAYA_TIME_STEP_YEAR);
  g_assert_cmpuint (atalaya_time_bar_get_n_positions (bar), ==, 11);
  g_assert_cmpuint (atalaya_time_bar_get_position (bar), ==, 1);
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2016, 1, 1));
  g_assert_cmpint (to, ==, utc (2017, 1, 1));

  /* the last year, and no further */
  atalaya_time_bar_set_position (bar, 100);
  g_assert_cmpuint (atalaya_time_bar_get_position (bar), ==, 10);
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2025, 1, 1));
  g_assert_cmpint (to, ==, utc (2026, 1, 1));

  /* back to months: January of that year */
  atalaya_time_bar_set_step (bar, ATALAYA_TIME_STEP_MONTH);
  g_assert_true (atalaya_time_bar_get_filter (bar, &from, &to));
  g_assert_cmpint (from, ==, utc (2025, 1, 1));

  /* no dates: no filter */
  atalaya_time_bar_set_data_range (bar, 0, -1);
  g_assert_false (atalaya_time_bar_get_filter (bar, &from, &to));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_play_stops_at_the_end (void)
{
  GtkWidget *window = gtk_window_new ();
  AtalayaTimeBar *bar = ATALAYA_TIME_BAR (atalaya_time_bar_new ());
  gint64 deadline;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (bar));
  atalaya_time_bar_set_data_range (bar, utc (2020, 1, 1), utc (2020, 3, 15));
  atalaya_time_bar_set_playing (bar, TRUE);
  /* playing turns the filter on, from the first month */
  g_assert_true (atalaya_time_bar_get_playing (bar));
  g_assert_cmpuint (atalaya_time_bar_get_position (bar), ==, 0);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (atalaya_time_bar_get_playing (bar) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (atalaya_time_bar_get_playing (bar));
  g_assert_cmpuint (atalaya_time_bar_get_position (bar), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/time-bar/months-and-years", test_months_and_years);
  g_test_add_func ("/time-bar/play-stops-at-the-end", test_play_stops_at_the_end);

  return g_test_run ();
}
