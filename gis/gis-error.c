/* gis-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "gis-error.h"

G_DEFINE_QUARK (gis-error-quark, gis_error)
