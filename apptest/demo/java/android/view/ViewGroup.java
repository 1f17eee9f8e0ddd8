package android.view;

import java.util.ArrayList;
import java.util.List;

/** Stand-in of android.view.ViewGroup: children stacked top to bottom. */
public class ViewGroup extends View {
    private final List<View> children = new ArrayList<>();

    public void addView(View child) {
        children.add(child);
    }

    public List<View> getChildren() {
        return children;
    }

    @Override
    public int preferredHeight() {
        int height = 40;
        for (View child : children) {
            height += child.preferredHeight() + 20;
        }
        return height;
    }

    @Override
    public void layout(int l, int t, int r, int b) {
        super.layout(l, t, r, b);
        int y = t + 40;
        for (View child : children) {
            int h = child.preferredHeight();
            child.layout(l + 60, y, r - 60, y + h);
            y += h + 20;
        }
    }
}
