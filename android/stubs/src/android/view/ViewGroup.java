// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.view;

import android.content.Context;

public abstract class ViewGroup extends View {
    public ViewGroup(Context context) { super(context); throw new RuntimeException("stub"); }

    public void addView(View child) { throw new RuntimeException("stub"); }

    public void removeAllViews() { throw new RuntimeException("stub"); }
}
