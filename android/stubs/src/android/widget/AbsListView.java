// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

import android.content.Context;

public abstract class AbsListView extends AdapterView<ListAdapter> {
    public static final int CHOICE_MODE_MULTIPLE = 2;

    public AbsListView(Context context) { super(context); throw new RuntimeException("stub"); }

    public void setChoiceMode(int choiceMode) { throw new RuntimeException("stub"); }

    public void setItemChecked(int position, boolean value) { throw new RuntimeException("stub"); }

    public boolean isItemChecked(int position) { throw new RuntimeException("stub"); }
}
