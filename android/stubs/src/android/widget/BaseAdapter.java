// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

public abstract class BaseAdapter implements ListAdapter {
    public BaseAdapter() { throw new RuntimeException("stub"); }

    public void notifyDataSetChanged() { throw new RuntimeException("stub"); }
}
