// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.view;

import android.content.Context;

public abstract class LayoutInflater {
    private LayoutInflater() {}

    public static LayoutInflater from(Context context) { throw new RuntimeException("stub"); }

    public View inflate(int resource, ViewGroup root, boolean attachToRoot) { throw new RuntimeException("stub"); }
}
