/* atalaya-window-private.h: internals shared by the window's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-window.h"

G_BEGIN_DECLS

struct _AtalayaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  GtkListView          *layer_list_view;
  GtkSingleSelection   *layer_selection;

  /* Owned */
  GSettings            *settings;
  GisStore             *store;
  GListModel           *layers;
  GCancellable         *open_cancellable;
  GFile                *opening_file;
};

void atalaya_window_class_actions_init (AtalayaWindowClass *klass);
void atalaya_window_actions_update     (AtalayaWindow      *self);
void atalaya_window_show_error         (AtalayaWindow      *self,
                                        const GError       *error);

G_END_DECLS
