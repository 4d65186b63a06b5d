/* atalaya-window.h: the main window, showing one store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

#include "atalaya-application.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_WINDOW (atalaya_window_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaWindow, atalaya_window, ATALAYA, WINDOW, AdwApplicationWindow)

AtalayaWindow *atalaya_window_new             (AtalayaApplication *application);
void           atalaya_window_open_store      (AtalayaWindow      *self,
                                               GFile              *file);
void           atalaya_window_close_store     (AtalayaWindow      *self);
GisStore      *atalaya_window_get_store       (AtalayaWindow      *self);
GListModel    *atalaya_window_get_layer_model (AtalayaWindow      *self);
gboolean       atalaya_window_get_loading     (AtalayaWindow      *self);

G_END_DECLS
