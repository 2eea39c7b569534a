// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

import android.content.Context;

public class ListView extends AbsListView {
    public ListView(Context context) { super(context); throw new RuntimeException("stub"); }

    public void setAdapter(ListAdapter adapter) { throw new RuntimeException("stub"); }
}
