package android.widget;

import android.view.ViewGroup;

/** Stand-in of android.widget.LinearLayout (vertical). */
public class LinearLayout extends ViewGroup {}
